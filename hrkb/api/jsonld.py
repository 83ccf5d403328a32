"""JSON-LD (schema.org) for any record: ``?format=jsonld`` or ``Accept: application/ld+json``.

The mapping works on the serialized record, so JSON-LD shows exactly what
the JSON shows to the same client, and nothing more.
"""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from hrkb.public_types import BY_NAME

CONTEXT = "https://schema.org"
ORGANISER_ROLES = {"host", "organiser"}


def _ref(summary):
    if not summary:
        return None
    return {"@id": summary["url"], "@type": BY_NAME[summary["type"]].schema_org, "name": summary["name"]}


def _refs(summaries):
    return [_ref(summary) for summary in summaries or () if summary]


def _aliases(data):
    return [alias["name"] if isinstance(alias, dict) else alias for alias in data.get("aliases") or ()]


def _wikidata(data):
    return f"https://www.wikidata.org/wiki/{data['wikidata_id']}" if data.get("wikidata_id") else None


def _report(data):
    authors = [_ref(author.get("person") or author.get("organisation")) for author in data.get("authors") or ()]
    mentioned = {}
    for mention in data.get("mentions") or ():
        target = mention.get("target")
        if target:
            mentioned[target["url"]] = _ref(target)
    return {
        "name": data["title"],
        "alternativeHeadline": data.get("subtitle"),
        "datePublished": data.get("published"),
        "inLanguage": data.get("language"),
        "abstract": data.get("summary"),
        "url": data.get("web_url"),
        "reportNumber": data.get("un_symbol"),
        "author": [author for author in authors if author],
        "publisher": _refs(data.get("publishers")),
        "about": _refs(data.get("topics")),
        "mentions": list(mentioned.values()),
        "citation": _refs(data.get("references")),
        "text": data.get("text"),
    }


def _role(membership, target_key, role_key):
    return {
        "@type": "OrganizationRole",
        "roleName": membership["role"],
        "startDate": membership.get("start"),
        "endDate": membership.get("end"),
        role_key: _ref(membership[target_key]),
    }


def _person(data):
    return {
        "name": data["name"],
        "alternateName": _aliases(data),
        "description": data.get("description"),
        "sameAs": _wikidata(data),
        "memberOf": [_role(m, "organisation", "memberOf") for m in data.get("memberships") or ()],
    }


def _organisation(data):
    return {
        "name": data["name"],
        "alternateName": _aliases(data),
        "description": data.get("description"),
        "sameAs": _wikidata(data),
        "parentOrganization": _ref(data.get("parent")),
        "subOrganization": _refs(data.get("children")),
        "member": [_role(m, "person", "member") for m in data.get("members") or ()],
    }


def _event(data):
    participants = data.get("participants") or ()
    location = None
    if data.get("place") or data.get("country"):
        location = {"@type": "Place", "name": data.get("place") or None}
        if data.get("country"):
            location["address"] = {"@type": "PostalAddress", "addressCountry": data["country"]}
    return {
        "name": data["title"],
        "alternateName": _aliases(data),
        "startDate": data.get("start"),
        "endDate": data.get("end"),
        "location": location,
        "description": data.get("description"),
        "about": _refs(data.get("topics")),
        "organizer": [_ref(p["actor"]) for p in participants if p["role"] in ORGANISER_ROLES],
        "attendee": [_ref(p["actor"]) for p in participants if p["role"] not in ORGANISER_ROLES],
        "subjectOf": _refs(data.get("related_reports")),
    }


def _topic(data):
    return {
        "name": data["name"],
        "description": data.get("description"),
        "termCode": str(data["udhr_article"]) if data.get("udhr_article") else None,
        "broader": _ref(data.get("parent")),
    }


def _quote(data):
    return {
        "text": data["text"],
        "creator": _ref(data.get("speaker")),
        "dateCreated": data.get("said"),
        "inLanguage": data.get("language"),
        "isPartOf": _ref(data.get("source")),
    }


MAPPINGS = {
    "report": _report,
    "person": _person,
    "organisation": _organisation,
    "event": _event,
    "topic": _topic,
    "quote": _quote,
}


def to_jsonld(data: dict, *, context: bool = True) -> dict:
    """One serialized record as a schema.org node; empty values left out."""
    node = {
        "@id": data["url"],
        "@type": BY_NAME[data["type"]].schema_org,
        "identifier": data["slug"],
        **MAPPINGS[data["type"]](data),
        "dateModified": data.get("modified"),
    }
    node = {key: value for key, value in node.items() if value not in (None, "", [], {})}
    return {"@context": CONTEXT, **node} if context else node


class JSONLDRenderer(JSONRenderer):
    """Renders a record (or a page of records, as ``@graph``) as schema.org JSON-LD; errors stay plain JSON."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if isinstance(data, dict) and (response is None or response.status_code < 400):
            if "results" in data:
                data = {"@context": CONTEXT, "@graph": [to_jsonld(item, context=False) for item in data["results"]]}
            elif "type" in data and "url" in data:
                data = to_jsonld(data)
        return super().render(data, accepted_media_type, renderer_context)
