"""/api/v1/people/ and /api/v1/organisations/."""

from django.db.models import Prefetch

from hrkb.api.access import readable_q
from hrkb.api.views import CuratedViewSet

from ..filtersets import OrganisationFilterSet, PersonFilterSet, readable_memberships
from ..models import Alias, Membership, Organisation, Person
from .serializers import (
    OrganisationDetailSerializer,
    OrganisationSerializer,
    PersonDetailSerializer,
    PersonSerializer,
)

ACTOR_ORDERING = ("slug", "name", "created", "modified")


class ActorViewSet(CuratedViewSet):
    ordering_fields = ACTOR_ORDERING

    def memberships(self, *related):
        """Readable memberships with their readable citations, for a Prefetch."""
        # Membership citations live in reports (which depends on actors): reach them by the relation, not an import.
        citation_model = Membership._meta.get_field("citations").related_model
        citations = citation_model.objects.filter(readable_q("source__", restricted=self.cleared))
        return (
            readable_memberships(restricted=self.cleared)
            .select_related(*related)
            .prefetch_related(Prefetch("citations", queryset=citations.select_related("source")))
        )


class PersonViewSet(ActorViewSet):
    """People: officials, witnesses, authors, dissidents."""

    model = Person
    serializer_class = PersonSerializer
    detail_serializer_class = PersonDetailSerializer
    filterset_class = PersonFilterSet

    def get_queryset(self):
        queryset = super().get_queryset().prefetch_related(Prefetch("aliases", Alias.objects.order_by("name")))
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
        queryset = (
            super()
            .get_queryset()
            .select_related("parent")
            .prefetch_related(Prefetch("aliases", Alias.objects.order_by("name")))
        )
        if self.full_records:
            queryset = queryset.prefetch_related(
                Prefetch("children", self.readable(Organisation)),
                Prefetch("organisation_memberships", self.memberships("person", "organisation")),
            )
        return queryset
