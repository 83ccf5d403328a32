"""People and organisations as the API shows them (declarations read by hrkb.api.loading)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hrkb.api.serializers import (
    CitationSerializer,
    CuratedSerializer,
    PartialDateField,
    SummaryField,
    SummaryListField,
    ValueListField,
)

from ..choices import OrganisationKind
from ..models import Alias, Membership, Organisation, Person


class AliasSerializer(serializers.ModelSerializer):
    """Another name: a spelling, a romanisation, a name in Hangul."""

    class Meta:
        model = Alias
        fields = ["name", "kind", "language"]


class MembershipSerializer(serializers.ModelSerializer):
    """A role a person holds in an organisation, with the passages that support it."""

    person = SummaryField()
    organisation = SummaryField()
    start = PartialDateField()
    end = PartialDateField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["slug", "person", "organisation", "role", "start", "end", "note", "rank", "rank_reason", "citations"]
        required_summaries = ["person", "organisation"]


class ActorSerializer(CuratedSerializer):
    type = serializers.SerializerMethodField(help_text=_("person or organisation"))
    aliases = ValueListField(column="name", help_text=_("Other names: spellings, romanisations, scripts."))

    class Meta:
        summary_name = "name"


class PersonSerializer(ActorSerializer):
    """A person, as listed."""

    class Meta(ActorSerializer.Meta):
        model = Person
        fields = ["name", "aliases", "description", "wikidata_id"]


class PersonDetailSerializer(PersonSerializer):
    """A person in full: other names in detail, and the roles they hold."""

    aliases = AliasSerializer(many=True, read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "memberships"]


class OrganisationSerializer(ActorSerializer):
    """An organisation, as listed."""

    kind = serializers.ChoiceField(
        OrganisationKind.choices, source="organisation_kind", read_only=True, help_text=_("Kind of organisation.")
    )
    parent = SummaryField(help_text=_("The organisation this one belongs to."))

    class Meta(ActorSerializer.Meta):
        model = Organisation
        fields = ["name", "kind", "parent", "aliases", "description", "wikidata_id"]


class OrganisationDetailSerializer(OrganisationSerializer):
    """An organisation in full: other names in detail, the bodies within it, and its members' roles."""

    aliases = AliasSerializer(many=True, read_only=True)
    children = SummaryListField(help_text=_("Organisations that belong to this one."))
    members = MembershipSerializer(many=True, read_only=True, source="organisation_memberships")

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "children", "members"]
