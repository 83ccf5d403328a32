"""Partner API keys: ``Authorization: Api-Key <secret>``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from hrkb.models import PartnerKey

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
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the key as: Authorization: Api-Key <secret>."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Unknown or revoked API key.")) from None
        key = PartnerKey.objects.get_for_secret(secret)
        if key is None:
            raise AuthenticationFailed(_("Unknown or revoked API key."))
        user = key.user if key.user is not None and key.user.is_active else AnonymousUser()
        return user, key

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
