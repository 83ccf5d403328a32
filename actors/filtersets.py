"""Filters of the people and organisations lists."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from hrkb.access import readable_q
from hrkb.api.access import is_cleared
from hrkb.api.filters import CuratedFilterSet, RecordFilter

from .choices import OrganisationKind
from .models import Membership, Organisation


def readable_memberships(*, restricted: bool):
    """Memberships a client may read: the membership, its person and its organisation all readable."""
    return Membership.objects.readable(restricted=restricted).filter(
        readable_q("person__", restricted=restricted), readable_q("organisation__", restricted=restricted)
    )


class PersonFilterSet(CuratedFilterSet):
    organisation = RecordFilter(
        Organisation, method="filter_organisation", help_text=_("Slug of an organisation the person holds a role in.")
    )
    role = django_filters.CharFilter(
        method="filter_role", max_length=200, help_text=_('Words of a role title, e.g. "chair" (case-insensitive).')
    )

    def filter_organisation(self, queryset, name, value):
        memberships = readable_memberships(restricted=is_cleared(self.request))
        return queryset.filter(Exists(memberships.filter(person=OuterRef("pk"), organisation=value)))

    def filter_role(self, queryset, name, value):
        memberships = readable_memberships(restricted=is_cleared(self.request))
        return queryset.filter(Exists(memberships.filter(person=OuterRef("pk"), role__icontains=value)))


class OrganisationFilterSet(CuratedFilterSet):
    kind = django_filters.ChoiceFilter(
        field_name="organisation_kind", choices=OrganisationKind.choices, help_text=_("Kind of organisation.")
    )
    parent = RecordFilter(Organisation, help_text=_("Slug of the organisation this one belongs to."))
