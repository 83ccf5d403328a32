"""Reads for everyone the access rules allow; writes only with the model permission."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ReadOnlyOrModelPermissions(DjangoModelPermissions):
    """Safe methods for any client; anything else needs a key whose user holds the model permission.

    What a reader may see is decided by the querysets (see :mod:`hrkb.api.access`), not here.
    """

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)
