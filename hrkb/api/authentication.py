"""Partner API keys: ``Authorization: Api-Key <secret>``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from hrkb.models import PartnerKey

from .throttling import FailedAuthenticationThrottle

KEYWORD = "Api-Key"


class PartnerKeyAuthentication(BaseAuthentication):
    """Authenticate a partner by the secret of an active :class:`~hrkb.models.PartnerKey`.

    ``request.auth`` is the key (its clearance decides what the client reads);
    ``request.user`` is the key's linked user, whose model permissions govern
    writes, or an anonymous user for a read-only key. Requests without the
    header are anonymous; a wrong or revoked key is refused with 401 rather
    than silently treated as anonymous, so a partner notices.
    """

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        throttle = FailedAuthenticationThrottle()
        # An address that keeps failing is refused before any key is looked up: guessing is slowed to the rate.
        throttle.check(request)
        if parts[0].lower() != KEYWORD.lower().encode():
            # Another scheme (Basic, Bearer...) is not silently read as anonymous: the client meant to authenticate.
            self.fail(request, throttle, _("Send the key as: Authorization: Api-Key <secret>."))
        if len(parts) != 2:
            self.fail(request, throttle, _("Send the key as: Authorization: Api-Key <secret>."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            self.fail(request, throttle, _("Unknown or revoked API key."))
        key = PartnerKey.objects.get_for_secret(secret)
        if key is None:
            self.fail(request, throttle, _("Unknown or revoked API key."))
        user = key.user if key.user is not None and key.user.is_active else AnonymousUser()
        return user, key

    def fail(self, request, throttle, message):
        throttle.record(request)
        raise AuthenticationFailed(message)

    def authenticate_header(self, request):
        return KEYWORD


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """Documents the partner key in the OpenAPI schema."""

    target_class = PartnerKeyAuthentication
    name = "PartnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A partner key, sent as `Authorization: Api-Key <secret>`. Optional: without it you "
            "read published, unrestricted records only.",
        }
