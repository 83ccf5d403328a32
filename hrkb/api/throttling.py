"""Rate limits: one bucket per anonymous IP address, one per partner key, one per address failing to authenticate.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (scopes ``anon``,
``partner`` and ``auth_failure``, set from the environment). They are read on
each request rather than once at import, so settings overrides take effect.
A client over its rate gets 429 with ``Retry-After``.

Counts live in Django's default cache, which every worker process shares:
Redis when ``REDIS_URL`` is set, else a table of the database (see
``CACHES`` in the settings); a per-process cache would let each worker
count alone.
"""

from rest_framework.exceptions import Throttled
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


class FailedAuthenticationThrottle(_SettingsRateThrottle):
    """Failed attempts to authenticate, by IP address: guessing keys is slowed to this rate.

    Used by the authentication itself (which runs before any other throttle):
    :meth:`check` refuses an address over its rate, :meth:`record` counts a failure.
    """

    scope = "auth_failure"

    def __init__(self):
        # The rate is read per use (see _SettingsRateThrottle), not when the class is made.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _history(self, request) -> list[float]:
        now = self.timer()
        return [moment for moment in self.cache.get(self.get_cache_key(request), []) if moment > now - self.duration]

    def check(self, request) -> None:
        if self.rate is None:
            return
        self.history, self.now = self._history(request), self.timer()
        if len(self.history) >= self.num_requests:
            raise Throttled(wait=self.wait())

    def record(self, request) -> None:
        if self.rate is None:
            return
        history = [self.timer(), *self._history(request)]
        self.cache.set(self.get_cache_key(request), history, self.duration)
