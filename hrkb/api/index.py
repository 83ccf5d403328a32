"""/api/v1/: what the API offers, as links a client can follow."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hrkb.public_types import PUBLIC_TYPES

# Links besides the resources, by route name (under the "api" namespace), with what each is.
SERVICES = {
    "search": ("search", "Ranked search across every type: ?q=…"),
    "changes": ("changes", "What changed since a watermark or a time, for incremental sync."),
    "export": ("export", "Everything you may read, one JSON record per line (NDJSON)."),
    "popolo": ("popolo", "People, organisations and memberships as Popolo JSON."),
    "annotations": ("annotations", "Every citation and mention as a W3C Web Annotation."),
    "schema": ("schema", "The OpenAPI 3 schema of this API."),
    "docs": ("docs", "The schema as browsable documentation."),
}

_link = inline_serializer(
    "Link",
    {
        "url": serializers.URLField(),
        "description": serializers.CharField(),
    },
)
_resource = inline_serializer(
    "ResourceLink",
    {
        "type": serializers.CharField(),
        "url": serializers.URLField(),
        "export_csv": serializers.URLField(),
    },
)


class IndexView(APIView):
    """The API's resources and services, by name."""

    @extend_schema(
        operation_id="index",
        responses=inline_serializer(
            "Index",
            {
                "resources": serializers.DictField(child=_resource),
                "services": serializers.DictField(child=_link),
            },
        ),
    )
    def get(self, request):
        def absolute(name: str) -> str:
            return request.build_absolute_uri(reverse(f"api:{name}"))

        resources = {
            public_type.path: {
                "type": public_type.name,
                "url": absolute(f"{public_type.name}-list"),
                "export_csv": absolute(f"{public_type.name}-export"),
            }
            for public_type in PUBLIC_TYPES
        }
        services = {
            key: {"url": absolute(route), "description": description} for key, (route, description) in SERVICES.items()
        }
        return Response({"resources": resources, "services": services})
