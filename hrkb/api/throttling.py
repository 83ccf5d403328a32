"""Rate limits: one bucket per anonymous IP address, one per partner key.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (scopes ``anon``
and ``partner``, set from the environment). They are read on each request
rather than once at import, so settings overrides take effect.
A client over its rate gets 429 with ``Retry-After``.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from hrkb.models import PartnerKey


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousRateThrottle(_SettingsRateThrottle):
    """Clients without a key, by IP address (see ``NUM_PROXIES``)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, PartnerKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PartnerKeyRateThrottle(_SettingsRateThrottle):
    """Clients with a key, by key, wherever they call from."""

    scope = "partner"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, PartnerKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
