"""Spreadsheets of citations (imported by their fact, source and passage) and of mentions (exported).

A citation row names its fact by slug (a participant by "event/actor/role"),
its source by slug, and quotes the passage: the offsets are found in the
source's text (:meth:`Citation.locate`), so nobody types them, and a passage
that is not there is an error in the ``passage`` column.
"""

from functools import cache

from import_export import fields

from hrkb.resources import HRKBResource

from .models import Mention, citation_models


@cache
def citation_resources() -> dict[str, type[HRKBResource]]:
    """One resource per citation table, by the name of the fact it supports (membership, participant…)."""
    resources = {}
    for model in citation_models():

        class Meta(HRKBResource.Meta):
            fields = ("subject", "source", "passage", "start", "end", "confidence", "claim", "value", "rank")
            import_id_fields = ("subject", "source", "passage")

        Meta.model = model
        Meta.fields = (*Meta.fields, "rank_reason")
        attributes = {
            "Meta": Meta,
            "__module__": __name__,
            # Found from the passage, never typed: exported, not imported.
            "start": fields.Field(attribute="start", column_name="start", readonly=True),
            "end": fields.Field(attribute="end", column_name="end", readonly=True),
        }
        fact = model._meta.get_field("subject").related_model._meta.model_name
        resources[fact] = type(f"{model.__name__}Resource", (HRKBResource,), attributes)
    return resources


class MentionResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Mention
        fields = ("report", "start", "end", "text", "actor", "mentioned_report", "event", "origin")
        import_id_fields = ("report", "start", "end")
