"""People and organisations as the API shows them."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hrkb.api.serializers import (
    ChildSerializer,
    CitationSerializer,
    CuratedSerializer,
    PartialDateField,
    SummaryField,
    SummaryListField,
    record_type,
)

from ..choices import OrganisationKind
from ..models import Alias, Membership, Organisation, Person

# The attribute the viewsets prefetch aliases into: a plain list, not a queryset per actor.
ALIASES = "alias_list"


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class AliasNamesField(serializers.Field):
    """An actor's other names (prefetched into a list) as their names alone."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, aliases):
        return [alias.name for alias in aliases]


class AliasSerializer(serializers.ModelSerializer):
    """Another name: a spelling, a romanisation, a name in Hangul."""

    class Meta:
        model = Alias
        fields = ["name", "kind", "language"]


class MembershipSerializer(ChildSerializer):
    """A role a person holds in an organisation, with the passages that support it."""

    person = SummaryField()
    organisation = SummaryField()
    start = PartialDateField()
    end = PartialDateField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(ChildSerializer.Meta):
        model = Membership
        fields = ["slug", "person", "organisation", "role", "start", "end", "note", "rank", "rank_reason", "citations"]
        required_summaries = ["person", "organisation"]


class ActorSerializer(CuratedSerializer):
    type = serializers.SerializerMethodField(help_text=_("person or organisation"))
    aliases = AliasNamesField(source=ALIASES, help_text=_("Other names: spellings, romanisations, scripts."))

    def get_type(self, record) -> str:
        return record_type(record)


class PersonSerializer(ActorSerializer):
    """A person, as listed."""

    class Meta:
        model = Person
        fields = ["url", "type", "slug", "name", "aliases", "description", "wikidata_id", "created", "modified"]


class PersonDetailSerializer(PersonSerializer):
    """A person in full: other names in detail, and the roles they hold."""

    aliases = AliasSerializer(many=True, read_only=True, source=ALIASES)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields[:-2], "memberships", "created", "modified"]


class OrganisationSerializer(ActorSerializer):
    """An organisation, as listed."""

    kind = serializers.ChoiceField(
        OrganisationKind.choices, source="organisation_kind", read_only=True, help_text=_("Kind of organisation.")
    )
    parent = SummaryField(help_text=_("The organisation this one belongs to."))

    class Meta:
        model = Organisation
        fields = [
            "url",
            "type",
            "slug",
            "name",
            "kind",
            "parent",
            "aliases",
            "description",
            "wikidata_id",
            "created",
            "modified",
        ]


class OrganisationDetailSerializer(OrganisationSerializer):
    """An organisation in full: other names in detail, the bodies within it, and its members' roles."""

    aliases = AliasSerializer(many=True, read_only=True, source=ALIASES)
    children = SummaryListField(help_text=_("Organisations that belong to this one."))
    members = MembershipSerializer(many=True, read_only=True, source="organisation_memberships")

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields[:-2], "children", "members", "created", "modified"]
