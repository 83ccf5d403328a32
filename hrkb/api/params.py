"""Query parameters: an unknown one answers 400 naming it, so a misspelt filter never returns everything.

What a view accepts is derived from what it declares — the same declarations
the OpenAPI schema is made from: its filterset's filters and its search filter
(lists and exports), its paginator's parameters (lists), the parameters of
``@extend_schema`` on its handler (a serializer's fields or
``OpenApiParameter``s), and DRF's ``format``. A view gains a parameter by
declaring it there; nothing here lists any.
"""

from __future__ import annotations

from functools import cache

from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.drainage import get_override
from drf_spectacular.utils import OpenApiParameter
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.mixins import ListModelMixin
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from hrkb.search.filters import RankedSearchFilter

from .exceptions import API_PREFIX

# Actions that read a list: they take the filters (an export takes them without pages).
FILTERED_ACTIONS = {"list", "export_csv"}


def _parameter_names(parameter) -> set[str]:
    if isinstance(parameter, OpenApiParameter):
        return {parameter.name} if parameter.location == OpenApiParameter.QUERY else set()
    if isinstance(parameter, type) and issubclass(parameter, BaseSerializer):
        parameter = parameter()
    if isinstance(parameter, BaseSerializer):
        return set(parameter.fields)
    return set()


def _filterset_names(filterset_class) -> set[str]:
    names = set()
    for name, declared in filterset_class.base_filters.items():
        # From the classes, never ``declared.field``: building it here would cache a queryset made without a request.
        widget = declared.extra.get("widget") or getattr(declared.field_class, "widget", None)
        suffixes = getattr(widget, "suffixes", None)
        names |= {f"{name}_{suffix}" if suffix else name for suffix in suffixes} if suffixes else {name}
    return names


def _extend_schema_parameters(view_class, handler) -> list:
    """The ``parameters`` of ``@extend_schema`` on a handler (drf-spectacular keeps them on a schema class)."""
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    if schema_class is None:
        return []
    view = view_class()
    view.request, view.args, view.kwargs = None, (), {}
    schema = schema_class()
    schema.view, schema.method = view, "GET"
    return list(schema.get_override_parameters())


@cache
def declared_parameters(view_class: type[APIView], handler_name: str) -> frozenset[str] | None:
    """The query parameters ``view_class``'s ``handler_name`` takes; None for views outside the schema."""
    handler = getattr(view_class, handler_name, None)
    if handler is None or get_override(view_class, "exclude") or get_override(handler, "exclude"):
        return None
    names = {api_settings.URL_FORMAT_OVERRIDE}
    for parameter in _extend_schema_parameters(view_class, handler):
        names |= _parameter_names(parameter)
    # A plain ListAPIView's "get" lists too.
    lists = handler_name == "list" or (handler_name == "get" and issubclass(view_class, ListModelMixin))
    if lists or handler_name in FILTERED_ACTIONS:
        filterset_class = getattr(view_class, "filterset_class", None)
        if filterset_class is not None:
            names |= _filterset_names(filterset_class)
        for backend in getattr(view_class, "filter_backends", ()):
            if issubclass(backend, SearchFilter):
                names.add(backend.search_param)
            if lists and issubclass(backend, (OrderingFilter, RankedSearchFilter)):
                # The ranked search honours an explicit ordering over relevance.
                names.add(api_settings.ORDERING_PARAM)
    pagination_class = getattr(view_class, "pagination_class", None)
    if lists and pagination_class is not None:
        paginator = pagination_class()
        names |= {parameter["name"] for parameter in paginator.get_schema_operation_parameters(view_class())}
    return frozenset(name for name in names if name)


def whole_number(raw: str) -> int | None:
    """``raw`` as a whole number if it is written in plain ASCII digits, else None.

    ``int()`` also takes "١٠" (Arabic-Indic digits), "＋5", "+5" and " 5", which
    no parameter of this API means; every count, page and position is read here.
    """
    return int(raw) if raw.isascii() and raw.isdigit() else None


class UnknownParametersMiddleware:
    """Answers 400 for a request under /api/ that carries a query parameter its view does not declare."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if not request.path.startswith(API_PREFIX) or view_class is None or not issubclass(view_class, APIView):
            return None
        actions = getattr(view_func, "actions", None)
        method = request.method.lower()
        handler_name = actions.get(method) if actions else method
        if handler_name is None:
            return None  # a method the view does not take: DRF answers 405
        allowed = declared_parameters(view_class, handler_name)
        if allowed is None:
            return None
        unknown = sorted(name for name in request.GET if name not in allowed)
        if not unknown:
            return None
        message = _("Unknown parameter. This endpoint takes: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))}
        return JsonResponse({name.replace("\x00", ""): [message] for name in unknown}, status=400)
