"""The admin's date hierarchy, its years and months read by skipping through the date's index (hrkb.admin_lists)."""

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode

from hrkb.scale import distinct_periods
from hrkb.search.postgres import DISTANCE

register = template.Library()


class _IndexedDates:
    """A change list's queryset whose ``dates()`` skips through the index (the rest is the queryset's own)."""

    def __init__(self, queryset):
        self._queryset = queryset

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def dates(self, field_name, kind, order="ASC"):
        if "__" in field_name or order != "ASC":
            return self._queryset.dates(field_name, kind, order)
        return distinct_periods(self._queryset, field_name, kind)


class _ChangeList:
    """The change list Django's ``date_hierarchy()`` reads, with :class:`_IndexedDates` as its queryset."""

    def __init__(self, changelist):
        self._changelist = changelist
        self.queryset = _IndexedDates(changelist.queryset)

    def __getattr__(self, name):
        return getattr(self._changelist, name)


def indexed_date_hierarchy(cl):
    # Filtered or searched, the list may be a handful of rows among millions: probing the date's
    # index for each year could walk far for each; Django's DISTINCT over the matches is right then.
    # Except a search for a word in most rows (the engine's matches alone, read in RUM's order:
    # hrkb.search.admin), where each probe stops at once and DISTINCT would test every row.
    common_word = DISTANCE in cl.queryset.query.annotations
    if cl.has_active_filters or (cl.query and not common_word):
        return date_hierarchy(cl)
    return date_hierarchy(_ChangeList(cl))


@register.tag(name="indexed_date_hierarchy")
def indexed_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=indexed_date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
