"""/api/v1/people/ and /api/v1/organisations/."""

from hrkb.api.views import CuratedViewSet

from ..filtersets import OrganisationFilterSet, PersonFilterSet
from ..models import Organisation, Person
from .serializers import OrganisationDetailSerializer, OrganisationSerializer, PersonDetailSerializer, PersonSerializer


class PersonViewSet(CuratedViewSet):
    """People: officials, witnesses, authors, dissidents."""

    model = Person
    serializer_class = PersonSerializer
    detail_serializer_class = PersonDetailSerializer
    filterset_class = PersonFilterSet


class OrganisationViewSet(CuratedViewSet):
    """Organisations: NGOs, UN bodies, courts, parliaments, governments, coalitions, parties."""

    model = Organisation
    serializer_class = OrganisationSerializer
    detail_serializer_class = OrganisationDetailSerializer
    filterset_class = OrganisationFilterSet
