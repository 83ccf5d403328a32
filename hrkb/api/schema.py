"""What the OpenAPI schema says beyond what drf-spectacular infers, so that every answer is documented.

* :class:`CuratedAutoSchema`: a resource's ``export.csv`` takes the list's filters.
* :func:`document_every_answer` (a postprocessing hook): every operation
  documents the errors it can answer — 400 (a bad or unknown parameter), 401
  (a wrong key or scheme), 404 (an unknown record, or format), 406, 429 (rate
  limits) and 301 for a detail's old slug — all as the JSON error object; a
  partner key is optional (``security`` lists it and no security); and JSON-LD
  is documented as JSON-LD, not as the JSON schema of the same record.

Checked by schemathesis against the running API (``.ci/run``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

ERROR_SCHEMA = {
    "type": "object",
    "description": 'An error: {"detail": "…"}, or for bad parameters the parameter\'s name and its messages, '
    'e.g. {"published_after": ["Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."]}.',
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "example": {"published_after": ["Enter a date as YYYY, YYYY-MM or YYYY-MM-DD."]},
}
ERRORS = {
    "400": "A bad value, or a parameter this endpoint does not take; the body names each one.",
    "401": "The Authorization header is not a valid partner key (`Api-Key <secret>`).",
    "404": "No such record you may read (or no such format).",
    "406": "None of the media types in Accept can be served.",
    "429": "Over the rate limit; retry after the `Retry-After` seconds.",
}
JSONLD_SCHEMA = {
    "type": "object",
    "description": "schema.org JSON-LD (https://schema.org): the same record as the JSON, as linked data.",
}


class CuratedAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the list's filters on a resource's CSV export.

    A choice given empty (``?kind=``, ``?format=``) is answered as if absent — an
    empty filter filters nothing, an empty format leaves the Accept header to
    decide — so each enum of choices documents the empty string too.
    """

    @staticmethod
    def _allow_empty_choice(parameters):
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if "enum" in schema and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
        return parameters

    def _get_format_parameters(self):
        return self._allow_empty_choice(super()._get_format_parameters())

    def _get_filter_parameters(self):
        return self._allow_empty_choice(super()._get_filter_parameters())

    def get_filter_backends(self):
        if getattr(self.view, "action", None) == "export_csv":
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()


def document_every_answer(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": error})
            if "{slug}" in path:
                responses.setdefault(
                    "301",
                    {
                        "description": "An old slug of a renamed or merged record: `Location` is its current URL.",
                        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
                    },
                )
            ok = responses.get("200", {}).get("content", {})
            if "application/ld+json" in ok and "application/json" in ok:
                ok["application/ld+json"] = {"schema": JSONLD_SCHEMA}
            # Without a key a client reads what is public: the key is optional.
            security = operation.get("security") or [{"PartnerKey": []}]
            if {} not in security:
                security.append({})
            operation["security"] = security
    return result
