"""Errors as JSON: DRF's exceptions, and 404/500 for any URL under /api/."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def exception_handler(exc, context):
    """DRF's handler, plus Django validation errors (from model fields and lookups) as 400.

    Validation errors are keyed by the query parameter or field at fault,
    e.g. ``{"published_after": ["Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."]}``;
    every error body is an object (a bare list of messages becomes ``{"detail": [...]}``).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    return response


def unknown_path(request, path=""):
    """Any path under /api/ that no route takes: a JSON 404 (Django's own page is HTML with DEBUG on).

    A path that only lacks its final slash is redirected, as CommonMiddleware
    would if this route did not match everything.
    """
    if settings.APPEND_SLASH and not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_path:
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return not_found(request)


def not_found(request, exception=None):
    """404 as JSON under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 as JSON under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
