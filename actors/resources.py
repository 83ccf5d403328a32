"""Spreadsheets of people, organisations, their aliases and roles (see :mod:`hrkb.resources`)."""

from hrkb.resources import HRKBResource

from .models import Alias, Membership, Organisation, Person

_CURATED = ("status", "restricted")


class PersonResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Person
        fields = ("slug", "name", "description", "own_summary", "wikidata_id", *_CURATED)
        import_id_fields = ("slug",)


class OrganisationResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Organisation
        fields = ("slug", "name", "organisation_kind", "parent", "description", "own_summary", "wikidata_id", *_CURATED)
        import_id_fields = ("slug",)


class AliasResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Alias
        fields = ("actor", "name", "kind", "language")
        import_id_fields = ("actor", "name")


class MembershipResource(HRKBResource):
    """Roles: a row without a slug gets one from its person, role and organisation, as in the admin."""

    class Meta(HRKBResource.Meta):
        model = Membership
        fields = (
            "slug",
            "person",
            "role",
            "organisation",
            "start",
            "end",
            "rank",
            "rank_reason",
            "note",
            "unsourced_reason",
            *_CURATED,
        )
        import_id_fields = ("slug",)

    def before_import_row(self, row, **kwargs):
        if not (row.get("slug") or "").strip() and row.get("person") and row.get("organisation") and row.get("role"):
            row["slug"] = Membership.make_slug(str(row["person"]), str(row["role"]), str(row["organisation"]))
