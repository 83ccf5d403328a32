"""Formats partners already load: Popolo JSON, and W3C Web Annotations.

* ``/api/v1/popolo.json``: the people, organisations and memberships the
  client may read, as a Popolo document (https://www.popoloproject.com/:
  ``persons``, ``organizations``, ``memberships``), ids being slugs. Checked
  against Popolo's JSON schemas in ``tests/api/test_formats.py``.
* ``/api/v1/annotations/?source=<report slug>``: every mention in a report's
  text and every citation quoting it, as W3C Web Annotations (an
  ``AnnotationPage``): the target is the report, anchored by a
  ``TextQuoteSelector`` (the passage with its prefix and suffix) and a
  ``TextPositionSelector`` (its offsets, in code points as the W3C model counts
  them); the body is the record the span names or the fact is about.

Only what the client may read is shown, by the same access rule as the
resources: the report, the record named, and each fact's records.
"""

from __future__ import annotations

from django.apps import apps
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from hrkb import access
from hrkb.public_types import BY_NAME, for_model, readable_q

from .access import is_cleared
from .loading import Context
from .serializers import SLUG_PATTERN

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Characters of context either side of a passage: enough to tell repeated wording apart.
CONTEXT_LENGTH = 32


def _date(value) -> str | None:
    return str(value) if value else None


class PopoloView(APIView):
    """People, organisations and memberships as one Popolo JSON document."""

    @extend_schema(
        operation_id="popolo",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A Popolo document: `persons`, `organizations` and `memberships`, ids being slugs.",
            )
        },
    )
    def get(self, request):
        cleared = is_cleared(request)
        context = Context(request, cleared=cleared)
        person, organisation = BY_NAME["person"], BY_NAME["organisation"]
        Alias = apps.get_model("actors", "Alias")
        Membership = apps.get_model("actors", "Membership")
        people = list(person.model._default_manager.readable(restricted=cleared).order_by("slug"))
        organisations = list(organisation.model._default_manager.readable(restricted=cleared).order_by("slug"))
        names: dict[int, list[dict]] = {}
        for alias in Alias.objects.filter(actor__in=[*people, *organisations]).order_by("actor", "name"):
            names.setdefault(alias.actor_id, []).append(
                {"name": alias.name, **({"note": alias.kind} if alias.kind else {})}
                | ({"lang": alias.language} if alias.language else {})
            )
        readable_ids = {record.pk for record in organisations}
        memberships = (
            Membership.objects.readable(restricted=cleared)
            .filter(
                readable_q(person.model, "person__", restricted=cleared),
                readable_q(organisation.model, "organisation__", restricted=cleared),
            )
            .select_related("person", "organisation")
            .order_by("slug")
        )

        def actor(record, kind):
            item = {
                "id": record.slug,
                "name": record.name,
                "other_names": names.get(record.pk, []),
                "identifiers": [{"scheme": "wikidata", "identifier": record.wikidata_id}] if record.wikidata_id else [],
                "links": [{"url": context.url(kind, record.slug), "note": "HRKB API"}],
            }
            if record.description:
                item["summary" if kind == "person" else "description"] = record.description
            return item

        organizations = []
        for record in organisations:
            item = actor(record, "organisation")
            if record.organisation_kind:
                item["classification"] = record.organisation_kind
            if record.parent_id in readable_ids:
                item["parent_id"] = record.parent.slug
            organizations.append(item)
        return Response(
            {
                "persons": [actor(record, "person") for record in people],
                "organizations": organizations,
                "memberships": [
                    {
                        "id": membership.slug,
                        "person_id": membership.person.slug,
                        "organization_id": membership.organisation.slug,
                        "role": membership.role,
                        **({"start_date": _date(membership.start)} if membership.start else {}),
                        **({"end_date": _date(membership.end)} if membership.end else {}),
                    }
                    for membership in memberships
                ],
            }
        )


def _subject_condition(model, prefix: str, restricted: bool):
    """The records a citation's subject needs readable: the subject, and the public records it joins."""
    if for_model(model) is not None:
        return readable_q(model, prefix, restricted=restricted)
    condition = access.readable_q(prefix, restricted=restricted) if hasattr(model, "status") else None
    for field in model._meta.concrete_fields:
        if field.many_to_one and _is_public_table(field.related_model):
            part = readable_q(field.related_model, f"{prefix}{field.name}__", restricted=restricted)
            condition = part if condition is None else condition & part
    return condition


def _is_public_table(model) -> bool:
    concrete = model._meta.concrete_model
    return any(public_type.model._meta.concrete_model is concrete for public_type in BY_NAME.values())


class AnnotationsView(APIView):
    """The mentions in a report's text and the citations quoting it, as W3C Web Annotations."""

    @extend_schema(
        operation_id="annotations",
        parameters=[
            OpenApiParameter(
                "source",
                {"type": "string", "pattern": SLUG_PATTERN, "example": "north-korea-a-case-to-answer-a-call-to-act"},
                required=True,
                description="The slug of the report whose text is annotated.",
            ),
        ],
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A W3C AnnotationPage: each item an Annotation whose target is the report's text, "
                "anchored by a TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start, end); "
                "a citation of a report whose text is not stored has only its exact words.",
            )
        },
    )
    def get(self, request):
        slug = request.query_params.get("source")
        if not slug:
            raise ValidationError({"source": [_("Give the slug of a report: ?source=<slug>.")]})
        cleared = is_cleared(request)
        report_type = BY_NAME["report"]
        report = report_type.model._default_manager.readable(restricted=cleared).filter(slug=slug).first()
        if report is None:
            raise Http404
        context = Context(request, cleared=cleared)
        target_url = context.url("report", report.slug)
        items = [*self._mentions(report, context, target_url), *self._citations(report, context, target_url)]
        response = Response(
            {
                "@context": ANNOTATION_CONTEXT,
                "id": request.build_absolute_uri(),
                "type": "AnnotationPage",
                "items": items,
            },
            content_type="application/ld+json",
        )
        return response

    def _selectors(self, text: str, start: int | None, end: int | None, passage: str = "") -> list[dict]:
        if start is None or end is None:
            # A citation of a source whose text is not stored: its words, but nowhere in a text to point at.
            return [{"type": "TextQuoteSelector", "exact": passage}] if passage else []
        return [
            {
                "type": "TextQuoteSelector",
                "exact": text[start:end],
                "prefix": text[max(0, start - CONTEXT_LENGTH) : start],
                "suffix": text[end : end + CONTEXT_LENGTH],
            },
            {"type": "TextPositionSelector", "start": start, "end": end},
        ]

    def _annotation(self, identifier, motivation, body, report, target_url, start, end, passage="") -> dict:
        target = {"source": target_url}
        selectors = self._selectors(report.text, start, end, passage)
        if selectors:
            target["selector"] = selectors
        return {
            "id": f"{target_url}#{identifier}",
            "type": "Annotation",
            "motivation": motivation,
            "body": body,
            "target": target,
        }

    def _mentions(self, report, context, target_url):
        Mention = apps.get_model("sources", "Mention")
        cleared = context.cleared
        targets = ("actor", "mentioned_report", "event")
        readable_target = None
        for name in targets:
            condition = readable_q(Mention._meta.get_field(name).related_model, f"{name}__", restricted=cleared)
            readable_target = condition if readable_target is None else readable_target | condition
        mentions = (
            Mention.objects.filter(report=report)
            .filter(readable_target)
            .select_related(*targets)
            .order_by("start", "end")
        )
        for mention in mentions:
            record = mention.target
            type_name = (for_model(type(record)) and for_model(type(record)).name) or record.kind
            yield self._annotation(
                f"mention-{mention.start}-{mention.end}",
                "identifying",
                {"id": context.url(type_name, record.slug), "type": "Dataset", "format": "application/json"},
                report,
                target_url,
                mention.start,
                mention.end,
            )

    def _citations(self, report, context, target_url):
        cleared = context.cleared
        from sources.models import Citation  # downstream of every app: imported when used

        for model in apps.get_app_config("sources").get_models():
            if not issubclass(model, Citation):
                continue
            subject_model = model._meta.get_field("subject").related_model
            condition = _subject_condition(subject_model, "subject__", cleared)
            citations = model.objects.filter(source=report)
            if condition is not None:
                citations = citations.filter(condition)
            for citation in citations.select_related("subject").order_by("start", "pk"):
                owner, type_name = self._owner(citation.subject)
                body = [{"id": context.url(type_name, owner.slug), "type": "Dataset", "format": "application/json"}]
                claim = ", ".join(part for part in (citation.claim, citation.value) if part)
                if claim:
                    body.append({"type": "TextualBody", "value": claim, "purpose": "describing"})
                yield self._annotation(
                    f"citation-{model._meta.model_name}-{'-'.join(str(p) for p in citation.subject.natural_key())}"
                    f"-{citation.start if citation.start is not None else f'p{citation.pk}'}",
                    "describing",
                    body,
                    report,
                    target_url,
                    citation.start,
                    citation.end,
                    citation.passage,
                )

    def _owner(self, subject):
        """The public record a fact belongs to: the subject itself, or the record a membership or part is of."""
        public_type = for_model(type(subject))
        if public_type is not None:
            return subject, public_type.name
        for field in subject._meta.concrete_fields:
            if field.many_to_one and _is_public_table(field.related_model):
                record = getattr(subject, field.name)
                owner_type = for_model(field.related_model)
                return record, owner_type.name if owner_type else record.kind
        raise LookupError(f"{type(subject).__name__} belongs to no public record")
