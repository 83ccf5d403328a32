"""/api/v1/people/ and /api/v1/organisations/."""

from django.db.models import Prefetch

from hrkb.access import readable_q
from hrkb.api.views import CuratedViewSet, with_summaries

from ..filtersets import OrganisationFilterSet, PersonFilterSet, readable_memberships
from ..models import Alias, Membership, Organisation, Person
from .serializers import (
    ALIASES,
    OrganisationDetailSerializer,
    OrganisationSerializer,
    PersonDetailSerializer,
    PersonSerializer,
)


class ActorViewSet(CuratedViewSet):
    """What people and organisations share: their aliases, and memberships shown with their citations."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("aliases", Alias.objects.order_by("name"), to_attr=ALIASES))
        )

    def memberships(self, *related):
        """Readable memberships with their readable citations, for a Prefetch."""
        # Membership citations live in reports (which depends on actors): reach them by the relation, not an import.
        citation_model = Membership._meta.get_field("citations").related_model
        citations = citation_model.objects.filter(readable_q("source__", restricted=self.cleared))
        return with_summaries(readable_memberships(restricted=self.cleared), *related).prefetch_related(
            Prefetch("citations", queryset=with_summaries(citations, "source"))
        )


class PersonViewSet(ActorViewSet):
    """People: officials, witnesses, authors, dissidents."""

    model = Person
    serializer_class = PersonSerializer
    detail_serializer_class = PersonDetailSerializer
    filterset_class = PersonFilterSet

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.full_records:
            queryset = queryset.prefetch_related(Prefetch("memberships", self.memberships("person", "organisation")))
        return queryset


class OrganisationViewSet(ActorViewSet):
    """Organisations: NGOs, UN bodies, courts, parliaments, governments, coalitions, parties."""

    model = Organisation
    serializer_class = OrganisationSerializer
    detail_serializer_class = OrganisationDetailSerializer
    filterset_class = OrganisationFilterSet

    def get_queryset(self):
        queryset = with_summaries(super().get_queryset(), "parent")
        if self.full_records:
            queryset = queryset.prefetch_related(
                Prefetch("children", self.summaries(Organisation, "parent")),
                Prefetch("organisation_memberships", self.memberships("person", "organisation")),
            )
        return queryset
