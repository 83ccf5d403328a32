"""Admin building blocks shared by every app, and the admin for old slugs and partner keys.

One level of base classes: :class:`CuratedAdmin` for curated records, and
:func:`attach_inline` for an app that shows its rows on the page of a record
another app owns (citations on the facts they support, a report's mentions),
so no app replaces another app's admin. The apps' admin modules use them and
add only what is particular to a model.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from urllib.parse import parse_qsl

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.views.main import ALL_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Count, ExpressionWrapper, F, QuerySet, Window
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from hrkb.admin_lists import (
    NamedRelatedFilter,
    Walk,
    along_its_index,
    holds_the_page_early,
    list_reading,
    list_walk,
    page_asked,
    share_facet_counts,
    unconditioned,
    walk_of,
)
from hrkb.dates import PartialDate, PartialDateField
from hrkb.routes import url_for
from hrkb.scale import (
    AtLeast,
    among,
    estimated_rows,
    hashed,
    planned_count,
    read_keys,
    through_trigrams,
    whole_count,
)
from hrkb.search.admin import RankedSearchAdminMixin
from hrkb.search.engine import ranked_ids
from hrkb.text import lf_lines

from . import sourcing
from .models import PartnerKey, SlugRedirect, Status


def admin_url(obj: models.Model) -> str | None:
    """The admin change page of ``obj``, or None when its model has no admin."""
    opts = obj._meta
    try:
        return url_for(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
    except NoReverseMatch:
        return None


def admin_link(obj: models.Model | None, text: str | None = None):
    """A link to ``obj``'s admin page, for list columns and read-only fields."""
    if obj is None:
        return "—"
    url = admin_url(obj)
    text = str(obj) if text is None else text
    return format_html('<a href="{}">{}</a>', url, text) if url else text


def admin_links(objs) -> str:
    """Comma-separated links for a to-many column; plain strings (e.g. bylines) stay text."""
    return format_html_join(", ", "{}", ((admin_link(obj) if isinstance(obj, models.Model) else obj,) for obj in objs))


class EstimatedCountPaginator(Paginator):
    """Counts a change list without reading every row it holds.

    Counting a table of millions of rows (mentions, citations) costs more than
    the rest of its change list: unfiltered, a large PostgreSQL table is
    counted by the planner's estimate (``pg_class.reltuples``, kept by
    autovacuum), close enough for "page 1 of about 39,000". Filtered or
    searched, rows are counted exactly up to :attr:`COUNT_AT_MOST` and shown
    as "10000+" beyond (:class:`~hrkb.scale.AtLeast`). Small tables and SQLite
    tables are counted exactly when unfiltered.
    """

    COUNT_AT_MOST = 10_000
    #: The page to read with the count, for a list whose conditions compute every match before any is
    #: ordered (set by :class:`EstimatedCountMixin`; see :meth:`_page_and_count`).
    page_with_count: int | None = None
    #: How a list is read, its related records in their order (set by EstimatedCountMixin for a search dense
    #: enough to be tested row by row; see :meth:`_walk`).
    walk: Walk | None = None
    #: The walked list's rows as its search finds them through indexes (see :meth:`_walk`).
    walk_matches: QuerySet | None = None
    #: Related records read first by :meth:`_walk`, and the most it reads before it sorts every match instead.
    WALK_FIRST = 400
    WALK_MOST = 25_600
    #: Past its first read, a walk goes on unless the list's matches are fewer than the rows its next read would
    #: test, divided by this: a row tested in a walk costs about as much as a match collected, hashed against
    #: its record and sorted, but collecting them all also reads every record (see :meth:`_few_matches`).
    WALK_TESTS_PER_MATCH = 8

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        if not query.where:
            return whole_count(self.object_list)  # "≈ 1971276 mentions" for a large table, never a count
        if self.page_with_count is not None:
            counted = self._page_and_count(self.page_with_count)
            if counted is not None:
                return counted
        # Counting stops one row past the cap, over keys alone: no annotation of the page (a search's score,
        # a mention's passage) is computed for counted rows. The keys are kept for a list on one page
        # (KeyedChangeList), which Django would otherwise read whole again.
        keys = list(self.object_list.order_by().values_list("pk", flat=True)[: self.COUNT_AT_MOST + 1])
        if len(keys) > self.COUNT_AT_MOST:
            return AtLeast(self.COUNT_AT_MOST)
        self._keys = keys
        return len(keys)

    def _page_and_count(self, number: int):
        """Read page ``number``'s keys and count the list in one statement; None past the last page.

        A list searched through :class:`SubquerySearchMixin` computes every match (its ``= ANY(ARRAY(…))``)
        before it orders any, for its count as for its page: counted, then paged, it ran its search twice
        (the event citations searched for "political prison camp" at 100,000 reports: 123 ms, then 162).
        A window's count over the rows the page is cut from costs little beside the ordering.
        """
        bottom = (max(number, 1) - 1) * self.per_page
        rows = list(
            self.object_list.annotate(hrkb_rows=Window(Count("pk"))).values_list("pk", "hrkb_rows")[
                bottom : bottom + self.per_page
            ]
        )
        if not rows:
            return None
        total = rows[0][1]
        keys = [pk for pk, _total in rows]
        self._page_keys = (number, keys)
        if total <= len(keys):
            self._keys = keys  # the whole list (KeyedChangeList)
        return total if total <= self.COUNT_AT_MOST else AtLeast(self.COUNT_AT_MOST)

    def page(self, number):
        """A page: its rows' keys in the list's order first, then those rows with what they show.

        Sliced whole, a filtered or searched list joins every matching row to each related record it
        shows before sorting (19,874 mentions of "famine" joined to their actors, reports and events
        for a page of 100: 90 ms of a 160 ms query); its keys need only what it is ordered by. A search
        in RUM's order is read from the index as the API reads it (``nearest``): sliced as Django
        slices, the order (distance, then newest first) would make PostgreSQL rank every match before
        the first row (1.6 s for a word in 92 % of 100,000 reports); a search of parts (three words or more,
        weighed alternatives) from their orders (``top_by_parts``) rather than by ranking every match.

        The page is ordered under the list's own conditions, not among the keys its count read: given
        thousands of keys, the planner walked the order's index looking for them (the quote citations
        searched for "famine", 5,321 of them: 169-240 ms, against 49-53 ms so).
        """
        query = getattr(self.object_list, "query", None)
        if query is None or not query.where:
            return super().page(number)
        number = self.validate_number(number)
        read, keys = self.__dict__.get("_page_keys", (None, None))
        bottom = (number - 1) * self.per_page
        if read == number:
            ids = keys
        elif (walked := self.walk and self.walk.by and self._walk(bottom, self.per_page)) is not None:
            ids = walked
        else:
            ids = ranked_ids(self.object_list, bottom, self.per_page)
        # The rows were chosen under the list's conditions: fetched by key alone, a search is not run twice.
        records = unconditioned(self.object_list).in_bulk(ids)
        return self._get_page([records[pk] for pk in ids if pk in records], number, self)

    def _walk(self, bottom: int, size: int) -> list | None:
        """Keys of rows ``bottom`` to ``bottom + size`` of a list led by a foreign key's records in an order of
        their own (:attr:`walk`), read among the related records that come first in that order; None when the
        page would need more than :attr:`WALK_MOST` of them.

        The mentions searched for "north korea" at 100,000 reports: 139,014 of 1.9 million pass both words'
        tests, and PostgreSQL, sure of no better way, tests and sorts every mention (about 950 ms). The
        mentions of the first 400 reports in the list's order hold the first page (50 ms). More records are
        read while the page could still hold a row of a record not read: the page is exact when its last
        row's record sorts strictly before the first record left out, which then holds no row that sorts
        among the page's (records tied in their order interleave their rows).
        """
        walk, model = self.walk, self.object_list.model
        related = model._meta.get_field(walk.by).related_model
        # The values the list sorts by, as stored: a partial date's year and its first day sort as one.
        keys = {
            f"hrkb_walk_{index}": ExpressionWrapper(F(name.lstrip("-")), output_field=models.Field())
            for index, name in enumerate(walk.order)
        }
        records = related._base_manager.using(self.object_list.db).annotate(**keys)
        records = records.order_by(*walk.order, "pk").values_list("pk", *keys)
        # Sorted by a column of the records (reports by title), four times what is read at first, for the next
        # reads: with no index in that order PostgreSQL sorts every record to find the first 1,604 as to find the
        # first 401 (85 ms at 100,000). Not in their own order, which their list indexes serve (1,604 reports by
        # date cost 10 ms more than 401), nor for a deep page's reads (28,000 reports for 7,000 cost).
        ahead = 1 if walk.order == tuple(related._meta.ordering) else 4
        read, wanted, fetched, every, weighed = self.WALK_FIRST, bottom + size, [], False, False
        while read <= self.WALK_MOST:
            if len(fetched) <= read and not every:
                asked = max(read + 1, ahead * (self.WALK_FIRST + 1))
                fetched = list(records[:asked])
                every = len(fetched) < asked
            first = fetched[: read + 1]
            order = {record[0]: record[1:] for record in first}
            within = self.object_list.filter(among(walk.by, [record[0] for record in first[:read]]))
            # Selected under its own name, the key would sort the list in place of its record's order.
            rows = list(within.values_list("pk", F(walk.by))[:wanted])
            if len(first) <= read or (len(rows) == wanted and order[rows[-1][1]] != first[read][1:]):
                return [pk for pk, _record in rows[bottom:]]
            # As many records as the rows found so far say the page needs, and a quarter more: page 100 of
            # the mentions of "north korea" is in the first 7,000 reports.
            read = max(read * 2, int(read * wanted / max(len(rows), 1) * 1.25))
            if not weighed:
                weighed = True
                if self._few_matches(read, related):
                    return self._among_every_match(bottom, size)
        return None

    def _few_matches(self, read: int, related) -> bool:
        """Whether the list's matches are few beside the rows a walk's read of ``read`` of its ``related`` records
        would test.

        The walk finds a page quickly where matches are spread along the records' order. Where they gather
        far along it, its reads grow to test most of the table: the 19,874 mentions of "famine" are mostly
        in the reports whose titles hold the word, the first 400 reports by title have 4 of them, and the
        next read tested the 247,000 mentions of 12,500 reports (223 ms at 100,000 reports). Counted up to
        that bound through the indexes (12 ms), they are read whole instead (:meth:`_among_every_match`).
        """
        if self.walk_matches is None:
            return False
        using = self.object_list.db
        stored, records = estimated_rows(self.object_list.model, using), estimated_rows(related, using)
        if not stored or not records:
            return False
        bound = int(read * stored / records / self.WALK_TESTS_PER_MATCH)
        if bound <= self.COUNT_AT_MOST:  # a walked list's matches were counted past the cap (see SubquerySearchMixin)
            return False
        # Through the indexes however few the bound: sure of finding that many matches early in a scan of the
        # table, the planner reads it, and where they gather it reads most of it (80 ms for 2,465 of "famine").
        with through_trigrams(using):
            return self.walk_matches.order_by().values("pk")[: bound + 1].count() <= bound

    def _among_every_match(self, bottom: int, size: int) -> list:
        """Keys of rows ``bottom`` to ``bottom + size`` of the list, read from all its matches: collected through
        their indexes, joined to their records by hashing, sorted (:func:`hrkb.scale.hashed`)."""
        matches = self.walk_matches.order_by(*self.object_list.query.order_by)
        with hashed(matches.db):
            return list(matches.values_list("pk", flat=True)[bottom : bottom + size])

    def counted_rows(self):
        """The list narrowed to the keys its count read, in its order (its conditions are not run again);
        None when it was not counted so (unfiltered, or past the cap)."""
        keys = self.__dict__.get("_keys")
        return None if keys is None else unconditioned(self.object_list).filter(among("pk", keys))


class KeyedChangeList(ChangeList):
    """A change list whose only page (or every row, shown at once) is read among the keys its count read.

    Django reads such a list whole again (``queryset._clone()``), running its conditions a second time:
    the mentions searched for "famine torture refugees", 18 of them, 110 ms each time at 100,000 reports.
    A page's worth of keys (at most ``list_max_show_all``) is a short list to look up, then sort.
    Its ordering is known before its search (:class:`SubquerySearchMixin` walks a list in some orders).
    """

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Each row's link carries the list's filters to its change page. Django adds them to every link with
        # add_preserved_filters, which resolves the link against every admin URL to learn whether it is the
        # list's own (10 ms a page of 100 rows). A row's change URL never is: its query is the same for each row,
        # written once here, and Django's is given nothing to add.
        self.row_query = urlencode(dict(parse_qsl(self.preserved_filters)))
        self.preserved_filters = ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_query}" if self.row_query else url

    def _get_deterministic_ordering(self, ordering):
        ordering = super()._get_deterministic_ordering(ordering)
        # In a list its search walks along an index of its own column (SubquerySearchMixin, walk_of), ties follow
        # the column's direction (along_its_index). A list the search engine ranks decides when it is searched
        # and keeps Django's tie-break (newest first) unless it walks: read among its matches' keys, in an
        # index's order the planner would test every row against them (quotes of "famine" by status: 967 ms).
        walked = isinstance(self.model_admin, SubquerySearchMixin) and not isinstance(
            self.model_admin, RankedSearchAdminMixin
        )
        walk = walk_of(self.model, ordering) if walked else None
        return along_its_index(ordering) if walk is not None and walk.by is None else ordering

    def get_ordering_field_columns(self):
        # Searched and not sorted by a column, the rows come best match first: no header is marked as the order
        # (Django marks the default ordering's columns, which the rows do not follow).
        if getattr(self, "by_relevance", False):
            return {}
        return super().get_ordering_field_columns()

    def get_queryset(self, request, exclude_parameters=None):
        reading = list_reading(request)
        reading.ordering = self.get_ordering(request, self.root_queryset)
        # Django reads the list again for each filter's counts, without that filter's parameters.
        reading.counting = exclude_parameters is not None
        return super().get_queryset(request, exclude_parameters)

    def get_results(self, request):
        # Counted first ("Show counts"), so that the database counts while the page is read and drawn.
        share_facet_counts(self, request)
        root, self.root_queryset = self.root_queryset, _WholeCounted(self.root_queryset)
        try:
            super().get_results(request)
        finally:
            self.root_queryset = root
        self.keys_listed = list_reading(request).keys_listed
        self.by_relevance = list_reading(request).by_relevance
        whole = (self.show_all and self.can_show_all) or not self.multi_page
        counted = self.paginator.counted_rows() if isinstance(self.paginator, EstimatedCountPaginator) else None
        if whole and counted is not None:
            self.result_list = counted


class _WholeCounted:
    """A change list's unfiltered rows, whose ``count()`` is :func:`~hrkb.scale.whole_count`: Django counts them
    on every page for "(100015 total)" beside a filtered list's own count (a large table's ``COUNT(*)``)."""

    def __init__(self, queryset):
        self._queryset = queryset

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def count(self):
        return whole_count(self._queryset)


class EstimatedCountMixin:
    """Lists of tables that grow with the corpus: counted by :class:`EstimatedCountPaginator`, read once, and
    each row's selection box written directly."""

    paginator = EstimatedCountPaginator

    def action_checkbox(self, obj):
        # Django's box, the same HTML: its widget is drawn through the forms' templates, 30-40 ms a page of 100 rows.
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_changelist(self, request, **kwargs):
        return KeyedChangeList

    def get_paginator(self, request, queryset, *args, **kwargs):
        paginator = super().get_paginator(request, queryset, *args, **kwargs)
        reading = list_reading(request)
        walk = reading.walk
        if walk is not None and tuple(queryset.query.order_by[: len(walk.leading)]) == walk.leading:
            # SubquerySearchMixin counted it past the cap (EstimatedCountPaginator._walk reads its pages).
            paginator.walk, paginator.count = walk, AtLeast(paginator.COUNT_AT_MOST)
            paginator.walk_matches = reading.walk_matches
            return paginator
        # Searched through SubquerySearchMixin, a list computes every match before it orders one: its page is
        # read with its count. Not for "show all", which reads every row in turn.
        if reading.matches_first and ALL_VAR not in request.GET:
            paginator.page_with_count = page_asked(request)
        return paginator


def partial_date(value: PartialDate | None) -> str:
    """A partial date at the precision the source gave, e.g. "February 2014"."""
    return value.display() if value else "—"


class TextBoxField(forms.CharField):
    """A text box's value with its lines ended as stored texts end them (LF).

    Browsers send a text area's lines ended by CR LF (the HTML standard), so an unchanged report text
    came back two characters longer at each line break, and the mentions and citations after one, kept
    as offsets into the text, no longer matched it: the form refused every edit of such a report.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return lf_lines(value) if isinstance(value, str) else value


FORMFIELD_OVERRIDES = {
    # The admin gives every DateField a calendar and a "Today" link, which
    # would turn "2014" into a full day; a partial date is typed as the source gives it.
    PartialDateField: {"widget": forms.TextInput},
    models.TextField: {"form_class": TextBoxField, "widget": admin_widgets.AdminTextareaWidget},
    # Sources are on the web today; Django 6 makes https the default scheme anyway.
    models.URLField: {"assume_scheme": "https"},
}


_attached: dict[type[models.Model], list[type[admin.options.InlineModelAdmin]]] = defaultdict(list)


def attach_inline(model: type[models.Model], inline: type[admin.options.InlineModelAdmin]) -> None:
    """Show ``inline`` on ``model``'s admin page, from an app downstream of ``model``'s.

    An upstream app cannot name the inlines of models that depend on it (that
    would be an import the wrong way); the downstream app attaches them here,
    and the upstream admin (via :class:`AttachedInlinesMixin`) shows them after its own.
    """
    _attached[model].append(inline)


class AttachedInlinesMixin:
    """Adds the inlines other apps attached to this model with :func:`attach_inline`."""

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *_attached[self.model]]


class SubquerySearchMixin:
    """Django's ``search_fields`` search, one subquery per related table, so each can use its own indexes.

    Django ORs ``UPPER(column) LIKE '%word%'`` over every field, joined into
    one query: across a join the database can use no index and scans the
    whole table (seconds for "famine" among 1.9 million mentions). Here one
    word's matches are the union of the table's own columns' and each related
    field's (:func:`_matching`, :func:`hrkb.scale.among`), read from the
    columns' trigram indexes on PostgreSQL (``sources/migrations/0003``),
    through a foreign key from the related table's (:func:`_contains`), and
    no join can repeat a row, so no DISTINCT is needed. Every word (or quoted
    phrase) must be in one of the fields, each word in any related row
    (Django 5.2 asks every word of one row: a report by two authors is not
    found by their two names).

    Several words: the rows of the word the planner expects in the fewest rows are read that way, and
    each other word is a test of those rows (:func:`_holds`), its related records' matches hashed once.
    Every word's rows read and intersected cost half a second for "famine torture refugees" among 1.9
    million mentions (126,000 mentioned in reports titled "torture" alone); as one condition per word
    the planner joined the words' sets in a nested loop: two minutes.
    """

    #: How many times the list's count the planner must expect its rarest word's fields to match before
    #: :meth:`_walked` counts the list's matches to see whether they fill it.
    WALK_FROM = 3

    def get_search_results(self, request, queryset, search_term):
        search_fields = self.get_search_fields(request)
        if not search_fields or not search_term or any(field[0] in "^=@" for field in search_fields):
            return super().get_search_results(request, queryset, search_term)
        model, words = queryset.model, []
        for bit in smart_split(search_term):
            if bit[:1] in {'"', "'"} and bit[-1:] == bit[:1]:
                bit = unescape_string_literal(bit)
            if bit:
                words.append(bit)
        if not words:
            return queryset, False
        # The union of the fields' matches, not an OR of tests: under an OR across relations the database tests
        # every row of the table against each; the union it computes from the matches' side (_matching).
        reading = list_reading(request)
        # Counted through a to-many relation (_contains joins it), a row would repeat: such a list is never walked.
        repeats = any(_to_many(model, path) for path in search_fields)
        walk = None if repeats else list_walk(request, self)
        planned = [_planned_matches(model, search_fields, bit) for bit in words] if walk or len(words) > 1 else [0]
        first = min(range(len(planned)), key=planned.__getitem__)
        if walk:
            walked = self._walked(request, queryset, search_fields, words, walk, first, planned[first])
            if walked is not None:
                return walked, False
        keys = reading.related_keys
        tests = [_holds(model, search_fields, bit, keys) for index, bit in enumerate(words) if index != first]
        reading.matches_first = not reading.keys_only  # see EstimatedCountMixin.get_paginator
        if reading.counting and not reading.keys_only and not repeats:
            # Counted ("Show counts"), every match is read: as one bitmap of the rarest word's index conditions,
            # each row read once. Narrowed to the union's keys, each of the 139,014 mentions of "north korea" was
            # read again by its key and joined to its actor in a nested loop, planned for the 2 rows the planner
            # expects of an array: 720 ms for the counts at 100,000 reports, 222 ms so.
            return queryset.filter(_contains_any(model, search_fields, words[first], keys), *tests), False
        rarest = _union(_matching(model, search_fields, words[first], keys))
        # No test joins (_holds), so no row repeats: the list is narrowed directly. Narrowed to the keys of the rows
        # that pass (a subquery), its 139,014 mentions of "north korea" were fetched twice.
        return queryset.filter(among("pk", rarest), *tests), False

    def _walked(self, request, queryset, search_fields, words, walk: Walk, first: int, planned: float):
        """The list narrowed by a test of each word, to be read in its order (EstimatedCountPaginator._walk);
        None to narrow it to the matches of its rarest word.

        A word in thousands of rows makes the union of its fields' matches the search's whole cost:
        "north" is in 139,014 mentions (the titles of 6,311 reports), and their union, its rows fetched
        and each joined to its report for the list's order, cost 630 ms at 100,000 reports. When the
        planner expects the rarest word in many rows and a count finds more rows than the list counts,
        the list is tested row by row instead, only among the rows its page can come from. For a list led by
        a foreign key's records in an order of their own columns, in its own order or sorted by such a
        column, or sorted by an indexed column of its own (:func:`walk_of`), searched through no to-many
        relation (a test through one would repeat a row).

        Along its own index a list is walked only if its first rows in that order hold the page: a word's
        matches may gather far along it ("kim" in mentions sorted by their words, under "K"), where walking
        would test a million rows to find them (1.4 s; 320 ms from its matches).
        """
        model, cap, keys = queryset.model, self.paginator.COUNT_AT_MOST, list_reading(request).related_keys
        if planned < self.WALK_FROM * cap:
            return None
        # Counted with the rarest word's fields as index conditions (a foreign key's as an array of keys), the
        # planner ORs the indexes' bitmaps, then tests the other words: 18 ms for the 10,001 first mentions of
        # "kim", where the tests of every row read 550,000 of them (218 ms) and the union of its matches cost 274.
        found = [
            _contains_any(model, search_fields, bit, keys)
            if index == first
            else _holds(model, search_fields, bit, keys)
            for index, bit in enumerate(words)
        ]
        if queryset.filter(*found).order_by().values("pk")[: cap + 1].count() <= cap:
            return None
        tests = [_holds(model, search_fields, bit, keys) for bit in words]
        if walk.by is None and not holds_the_page_early(request, queryset, tests, self.list_per_page):
            return None
        reading = list_reading(request)  # see EstimatedCountMixin.get_paginator
        reading.walk, reading.walk_matches = walk, queryset.filter(*found)
        return queryset.filter(*tests)


def _matching(model, search_fields, bit: str, keys: dict) -> list:
    """The keys of the rows of ``model`` holding ``bit`` in one of ``search_fields``, as querysets to unite.

    The table's own columns in one condition, which PostgreSQL reads as one bitmap of their trigram
    indexes, each page of the table once: read each on its own, the reports titled "north" and those
    whose slug holds it (the same 6,311 reports) read the same 4,108 pages twice: 34 ms for the five
    columns at 100,000 reports, 15 as one (medians). A related table's rows each by their own read
    (:func:`_contains`); through a to-many relation, the keys in the table that holds the link
    (:func:`_holders`), not its rows joined back to this table by key: the reports whose authorships'
    bylines or publishers' names hold "north", 10,327 probes of the reports' key, cost 27 of 44 ms.
    """
    own = [path for path in search_fields if "__" not in path and not _to_many(model, path)]
    matching = [_related_matching(model, related, bit, keys) for related in search_fields if related not in own]
    if own:
        matching.insert(0, model._base_manager.filter(_contains_any(model, own, bit, keys)).values("pk"))
    return matching


def _related_matching(model, field_path: str, bit: str, keys: dict):
    """The keys of the rows of ``model`` whose related ``field_path`` holds ``bit`` (see :func:`_matching`)."""
    if "__" in field_path and _to_many(model, field_path):
        return _holders(model, field_path, bit, keys)
    return model._base_manager.filter(_contains(model, field_path, bit, keys)).values("pk")


def _union(querysets):
    """The rows of any of ``querysets`` (of one model's keys), each once."""
    first, *rest = (queryset.order_by() for queryset in querysets)
    return first.union(*rest) if rest else first


def _planned_matches(model, search_fields, bit: str) -> float:
    """The rows of ``model`` the planner expects to hold ``bit`` in one of ``search_fields``.

    Asked as joins: asked through subqueries (as :func:`_contains` reads them), the planner sizes
    "report_id IN (reports titled …)" at a constant 219 mentions ("north": 4,230 expected in all,
    139,014 found); as a join, from the reports' statistics, 139,385.
    """
    manager = model._base_manager
    return _planned(_union([manager.filter(**{f"{path}__icontains": bit}).values("pk") for path in search_fields]))


def _planned(queryset) -> float:
    """The rows the planner expects of ``queryset`` (0 where there is no planner to ask: SQLite)."""
    return planned_count(queryset) or 0


def _to_many(model, path: str) -> bool:
    """Whether ``path``'s first step from ``model`` leads to many rows (a join there repeats the row).

    Only the first step: :func:`_holds` asks a to-one step's further steps in a subquery, so
    ``person__aliases__name`` repeats no authorship, where Django's ``lookup_spawns_duplicates``,
    which reads the whole path for a join, would say it does.
    """
    field = model._meta.get_field(path.partition("__")[0])
    return field.many_to_many or field.one_to_many


def _contains_any(model, search_fields, bit: str, keys: dict) -> models.Q:
    """One of ``search_fields`` contains ``bit``: each field's :func:`_contains` as an index condition, which
    PostgreSQL reads as one bitmap of the rows any of them holds (a to-many field joins: its rows repeat)."""
    return functools.reduce(operator.or_, (_contains(model, path, bit, keys) for path in _lookups_first(search_fields)))


def _lookups_first(search_fields) -> list[str]:
    """``search_fields`` with the fields of related records first, the row's own columns last: under an OR,
    PostgreSQL tests a row's conditions in the order written and stops at the first that holds, and a key
    looked up in a hashed array costs less than ``upper(column) LIKE '%word%'``, which most rows reach when
    it comes first (the counts of the mentions of "north korea", 139,014 rows tested: 174 -> 155 ms)."""
    return sorted(search_fields, key=lambda path: "__" not in path)


def _contains(model, path: str, bit: str, keys: dict) -> models.Q:
    """``path`` contains ``bit``; through a foreign key, as the keys of the related rows that hold it
    (:func:`_keys_holding`).

    ``report__title`` is asked as ``report_id = ANY(reports whose title matches)``: a few thousand
    reports, each leading to its mentions by the foreign key's index, where a join would test every
    mention's report. A to-many step (aliases) joins: the union or the IN drops its repeats.
    """
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    if rest and field.many_to_one:
        return among(first, _keys_holding(field.related_model, rest, bit, keys))
    return models.Q(**{f"{path}__icontains": bit})


#: A related table's rows holding a word, read as keys at most: past this many, a subquery of the search's.
RELATED_KEYS_AT_MOST = 20_000


def _keys_holding(model, path: str, bit: str, keys: dict):
    """The keys of ``model``'s rows holding ``bit`` in ``path``: on PostgreSQL read first, once a request
    (``keys``: :attr:`ListReading.related_keys`), through the trigram indexes, and sent as an array that
    PostgreSQL hashes; else, or past :data:`RELATED_KEYS_AT_MOST` of them, the subquery itself.

    As a subquery, the planner reads the reports' titles for "north" by a whole scan of the title's
    B-tree (it prices ``upper()`` as one operator), once for a mention's report and again for its
    other report, and in each parallel worker: 320 ms for a page of the mentions of "north korea" at
    100,000 reports, 60-120 ms with the 6,311 and 12,585 reports' keys read first.
    """
    subquery = model._base_manager.filter(_holds(model, [path], bit, keys)).order_by().values("pk")
    if connections[subquery.db].vendor != "postgresql":
        return subquery
    memo = (model._meta.label, path, bit)
    if memo not in keys:
        with through_trigrams(subquery.db):
            read = read_keys(subquery[: RELATED_KEYS_AT_MOST + 1])
        keys[memo] = read if len(read) <= RELATED_KEYS_AT_MOST else None
    return subquery if keys[memo] is None else keys[memo]


def _holders(model, field_path: str, bit: str, keys: dict):
    """The keys of the rows of ``model`` whose ``field_path``, through a to-many relation first, holds ``bit``:
    read from the table that holds the link (a reverse foreign key's, a many-to-many's through table) without
    joining back, the related rows found by :func:`_holds`."""
    first, _, rest = field_path.partition("__")
    field = model._meta.get_field(first)
    related = field.related_model._base_manager.filter(_holds(field.related_model, [rest], bit, keys)).order_by()
    if field.one_to_many:
        return related.values(field.field.attname)
    if field.many_to_many and not field.auto_created:  # declared on this model
        through = field.remote_field.through._base_manager
        return through.filter(**{f"{field.m2m_reverse_field_name()}__in": related.values("pk")}).values(
            field.m2m_field_name()
        )
    return model._base_manager.filter(**{f"{field.name}__in": related.values("pk")}).order_by().values("pk")


def _holds(model, search_fields, bit: str, keys: dict) -> models.Q:
    """A row of ``model`` holds ``bit`` in one of ``search_fields``: a test of rows already found.

    Through a foreign key, the related table's matches are their keys (:func:`_keys_holding`), an
    array PostgreSQL hashes once, or a subquery it hashes once (``report_id IN (…)`` under an OR):
    either way each row is a lookup. Through a to-many relation, the keys of the rows whose related
    rows match, hashed once too: joined, each row would repeat once per related row (the 15,565
    reports titled "north" joined to their authorships, authors' aliases and publishers: 37,548 rows
    tested for "korea", 330 ms of 450).
    """
    test = models.Q()
    for field_path in _lookups_first(search_fields):
        first, _, rest = field_path.partition("__")
        field = model._meta.get_field(first)
        if rest and field.many_to_one:
            matches = _keys_holding(field.related_model, rest, bit, keys)
            test |= among(first, matches) if isinstance(matches, list) else models.Q(**{f"{first}__in": matches})
        elif rest and _to_many(model, field_path):
            test |= models.Q(pk__in=_holders(model, field_path, bit, keys))
        else:
            test |= models.Q(**{f"{field_path}__icontains": bit})
    return test


class SpreadsheetAdminMixin(ImportExportMixin):
    """Export of any list, as filtered and searched, as CSV or XLSX; import where the admin says ``importable``.

    The resources (``resource_classes``) are the apps' ``resources.py``, all on
    :class:`hrkb.resources.HRKBResource`. Importing shows the dry run row by
    row — new, changed with its diff, unchanged, or errors naming the column —
    and applies nothing until confirmed, in one transaction, recorded in
    history under the importing curator.
    """

    formats = [CSV, XLSX]
    importable = False

    def has_import_permission(self, request):
        return self.importable and self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)


class AsOfHistoryAdminMixin:
    """The History page also shows a record "as of" a date: the version that stood then, fields and links.

    ``history/?as_of=2024-05-01`` (or the date box on the History page) opens
    django-simple-history's view of that version: the record's form filled
    with its values at that moment, many-to-many ones included.
    """

    object_history_template = "admin/hrkb/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        value = request.GET.get("as_of")
        if value is not None:
            from django.contrib.admin.utils import unquote

            from .history import parse_moment, version_as_of

            moment = parse_moment(value)
            record = self.get_object(request, unquote(object_id))
            if moment is None:
                self.message_user(
                    request, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}, messages.ERROR
                )
            elif record is not None:
                version = version_as_of(record, moment)
                if version is not None:
                    name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_simple_history"
                    return HttpResponseRedirect(reverse(name, args=[record.pk, version.history_id]))
                self.message_user(
                    request,
                    _("%(record)s did not exist yet on %(value)s.") % {"record": record, "value": value},
                    messages.WARNING,
                )
        return super().history_view(request, object_id, {**(extra_context or {}), "as_of": value or ""})

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history fills a version's form from the record's current many-to-many values.
        request._hrkb_version = (object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        version_key = getattr(request, "_hrkb_version", None)
        if version_key is None or request.method != "GET":
            return form
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        version = history_model.objects.filter(id=version_key[0], history_id=version_key[1]).first()
        links = {
            field.name: [
                getattr(row, f"{field.m2m_reverse_field_name()}_id") for row in getattr(version, field.name).all()
            ]
            for field in getattr(history_model, "_history_m2m_fields", ())
        }

        class VersionForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name, ids in links.items():
                    if name in self.fields:
                        self.initial[name] = ids

        return VersionForm


class _Unpublishable(Exception):
    """Raised inside the admin's save transaction when what was saved breaks the publish rule."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("; ".join(lines))


class PublishRuleAdminMixin:
    """Holds every save in the admin to the publish rule (:mod:`hrkb.sourcing`).

    The rule reads citations, which the admin saves after the record (in its
    inlines), so it is judged once everything is saved: the record, its
    inlines (roles added on a person's page, participants on an event's) and
    what they belong to (a participant's event). When it fails, the whole
    save is rolled back and the form shown again with what the curator typed
    and an error naming each fact to cite or mark unsourced, so a published
    fact never loses its source and nothing is lost either.
    """

    def publish_rule_records(self, record) -> list:
        """The records a save of ``record`` on this page must leave compliant."""
        return [record]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        records = list(self.publish_rule_records(form.instance))
        for formset in formsets:
            if sourcing.governed(formset.model):
                records += [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]
        lines = []
        for record in records:
            lines += [f"{record}: {line}" if record is not form.instance else line for line in sourcing.unmet(record)]
        if lines:
            raise _Unpublishable(lines)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Unpublishable as refusal:
            # The save's transaction is rolled back; show the form again, as posted, with the reason.
            request._hrkb_unpublishable = refusal.lines
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        lines = getattr(request, "_hrkb_unpublishable", None)
        if not lines:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned_data = super().clean()
                message = _("Not saved: it cannot be published without a source for %(what)s.") % {
                    "what": "; ".join(lines)
                }
                self.add_error("status" if "status" in self.fields else None, message)
                return cleaned_data

        return RefusedForm


class MergeAdminMixin:
    """Merging duplicates in the admin: choose two records, pick the survivor, see the preview, confirm.

    The list's action "Merge the two selected records…" (or a link to
    ``merge/?ids=A,B`` from the likely-duplicates page) opens the merge page:
    both records side by side to pick the one that stays, then the preview —
    what moves, what is folded into the survivor's identical rows and what
    differs between them (the survivor's wins), the blank fields it takes, the
    links carried over and anything that stops the merge — then the merge
    itself, which the app's service does (``merge_services``: plan, apply), in
    one transaction, recorded in history with the curator's name.
    """

    merge_services: tuple | None = None  # (plan(*, survivor, duplicate), merge(*, survivor, duplicate, user))
    merge_template = "admin/hrkb/merge.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_merge"
        return [path("merge/", self.admin_site.admin_view(self.merge_view), name=name), *super().get_urls()]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.merge_services and self.has_delete_permission(request) and self.has_change_permission(request):
            action = type(self).merge_selected
            actions["merge_selected"] = (action, "merge_selected", action.short_description)
        return actions

    @admin.action(description=_("Merge the two selected records…"))
    def merge_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True)[:3])
        if len(ids) != 2:
            self.message_user(request, _("Choose exactly two records to merge."), messages.WARNING)
            return None
        return HttpResponseRedirect(f"{self.merge_url()}?ids={ids[0]},{ids[1]}")

    def merge_url(self) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_merge")

    def merge_view(self, request):
        if not (self.has_change_permission(request) and self.has_delete_permission(request)):
            raise PermissionDenied
        params = request.POST if request.method == "POST" else request.GET
        ids = [part for part in params.get("ids", "").split(",") if part.strip().isdigit()]
        records = {str(record.pk): record for record in self.get_queryset(request).filter(pk__in=ids)}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Merge %(name)s") % {"name": self.opts.verbose_name_plural},
            "ids": ",".join(ids),
            "records": [records[pk] for pk in ids if pk in records],
            "changelist_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
            ),
        }
        if len(ids) != 2 or len(records) != 2:
            context["error"] = _("Choose two different records of this list to merge.")
            return TemplateResponse(request, self.merge_template, context)
        context["comparison"] = _comparison(context["records"])
        survivor_id = params.get("survivor", "")
        if survivor_id not in records:
            context["stage"] = "choose"
            return TemplateResponse(request, self.merge_template, context)
        survivor = records[survivor_id]
        duplicate = next(record for pk, record in records.items() if pk != survivor_id)
        plan_service, merge_service = self.merge_services
        try:
            plan = plan_service(survivor=survivor, duplicate=duplicate)
        except ValidationError as error:
            context |= {"stage": "choose", "error": " ".join(error.messages)}
            return TemplateResponse(request, self.merge_template, context)
        context |= {"stage": "preview", "plan": plan, "survivor": survivor, "duplicate": duplicate}
        if request.method == "POST" and "confirm" in request.POST and not plan.problems:
            try:
                merged = merge_service(survivor=survivor, duplicate=duplicate, user=request.user)
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
                return TemplateResponse(request, self.merge_template, context)
            self.message_user(
                request,
                _("Merged %(duplicate)s into %(survivor)s; its old address %(slug)s now leads here.")
                % {"duplicate": duplicate, "survivor": merged, "slug": plan.duplicate_slug},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(admin_url(merged))
        return TemplateResponse(request, self.merge_template, context)


def _comparison(records) -> list[tuple[str, list[str], bool]]:
    """The two records' own fields side by side (label, values, whether they differ), long texts cut short."""
    rows = []
    for field in records[0]._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name.endswith("_precision"):
            continue
        values = []
        for record in records:
            value = getattr(record, field.name)
            if field.choices and value not in (None, ""):
                value = getattr(record, f"get_{field.name}_display")()
            text = "—" if value in (None, "") else str(value)
            values.append(text if len(text) <= 160 else f"{text[:159]}… ({len(text):,} characters)")
        rows.append((field.verbose_name, values, values[0] != values[1]))
    return rows


# Searches that cross to-many relations (aliases, authors) return each record
# once: Django's changelist wraps such queries in EXISTS, so no DISTINCT here.
class CuratedAdmin(
    AsOfHistoryAdminMixin,
    SpreadsheetAdminMixin,
    MergeAdminMixin,
    PublishRuleAdminMixin,
    AttachedInlinesMixin,
    RankedSearchAdminMixin,
    SubquerySearchMixin,
    EstimatedCountMixin,
    SimpleHistoryAdmin,
):
    """The admin of a curated record: status, restriction, slug, timestamps, history.

    The History page (from django-simple-history) lists who changed the record,
    when, and each changed field with its old and new value.

    Search is the same ranked engine as the API's ``search`` parameter
    (``hrkb.search``), so a researcher finds here what a partner finds there;
    its matches come first, then what each admin's ``search_fields`` find
    through relations the search documents do not hold (a report by its
    author's alias, an event by a participant's).
    """

    list_filter = ["status", "restricted"]
    readonly_fields = ["created", "modified"]
    actions = ["publish", "unpublish", "restrict", "unrestrict"]
    save_on_top = True
    list_per_page = 50
    formfield_overrides = FORMFIELD_OVERRIDES

    def lookup_allowed(self, lookup, value, request=None):
        # A NamedRelatedFilter's box names no field, and Django (5.2.20 on) refuses a lookup through a reverse
        # relation that no list_filter names: the filter applies it only along its own declared path.
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        if lookup in NamedRelatedFilter.box_parameters(list_filter):
            return True
        return super().lookup_allowed(lookup, value, request)

    # Badges instead of the status text and the restricted column's icons: a list of
    # unrestricted records must not read as a column of red crosses.
    def get_list_display(self, request):
        shown = {"status": "status_badge", "restricted": "restricted_badge"}
        return [shown.get(name, name) if isinstance(name, str) else name for name in super().get_list_display(request)]

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, record):
        if record.status == Status.DRAFT:
            return format_html('<span class="badge badge-draft">{}</span>', record.get_status_display())
        return record.get_status_display()

    @admin.display(description=_("restricted"), ordering="restricted")
    def restricted_badge(self, record):
        return (
            format_html('<span class="badge badge-restricted">{}</span>', _("restricted")) if record.restricted else ""
        )

    def _set(self, request, queryset, message, **values):
        # Saved one by one, not with update(), so each change lands in the history.
        count = 0
        for record in queryset:
            if any(getattr(record, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(record, field, value)
                record.save(update_fields=list(values))
                count += 1
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected records"), permissions=["change"])
    def publish(self, request, queryset):
        # Only what the publish rule allows; the others are named with what they lack.
        allowed = []
        for record in queryset:
            lines = sourcing.unmet(record, as_published=True)
            if lines:
                self.message_user(
                    request,
                    _("%(record)s stays a draft: it cannot be published without a source for %(what)s.")
                    % {"record": record, "what": "; ".join(lines)},
                    messages.ERROR,
                )
            else:
                allowed.append(record.pk)
        self._set(
            request, queryset.filter(pk__in=allowed), _("%(count)s record(s) published."), status=Status.PUBLISHED
        )

    @admin.action(description=_("Return the selected records to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set(request, queryset, _("%(count)s record(s) returned to draft."), status=Status.DRAFT)

    @admin.action(description=_("Restrict the selected records"), permissions=["change"])
    def restrict(self, request, queryset):
        self._set(request, queryset, _("%(count)s record(s) restricted."), restricted=True)

    @admin.action(description=_("Lift the restriction on the selected records"), permissions=["change"])
    def unrestrict(self, request, queryset):
        self._set(request, queryset, _("%(count)s record(s) no longer restricted."), restricted=False)


def _name_join_rows() -> None:
    """Label the rows of every automatic many-to-many table by the records they join.

    Django names them "Event_related_reports object (10)" in inlines, history and
    delete confirmations; "Publication of the COI report — Report of the COI" says what the row is.
    """
    from django.apps import apps

    def label(row):
        fields = [f for f in row._meta.concrete_fields if f.many_to_one]
        return " — ".join(str(getattr(row, f.name)) for f in fields)

    for model in apps.get_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created and through.__str__ is models.Model.__str__:
                through.__str__ = label


_name_join_rows()


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old slugs and where they lead; written by renames, so only read here."""

    list_display = ["old_slug", "new_slug", "content_type", "created"]
    list_filter = ["content_type"]
    list_select_related = ["content_type"]
    search_fields = ["old_slug", "new_slug"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    """Keys are never edited into a secret: saving a new key generates one and shows it once."""

    list_display = ["name", "organisation", "prefix", "can_read_restricted", "user", "created", "revoked"]
    list_filter = ["can_read_restricted", ("revoked", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "organisation__name"]
    raw_id_fields = ["organisation", "user"]
    readonly_fields = ["prefix", "created", "revoked"]
    fields = ["name", "organisation", "user", "can_read_restricted", "prefix", "created", "revoked"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        secret = None if change else obj.set_new_secret()
        super().save_model(request, obj, form, change)
        if secret:
            request.new_partner_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        """The new secret on the page that answers the form, and nowhere else.

        Not in a message: Django's messages travel in a signed but readable
        cookie (and could land in a session row); this page is not stored either.
        """
        secret = getattr(request, "new_partner_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "key": obj,
            "secret": secret,
            "title": _("Copy the new key's secret"),
        }
        response = TemplateResponse(request, "admin/hrkb/partnerkey/secret.html", context)
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True)
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        self.message_user(request, ngettext("Revoked %d key.", "Revoked %d keys.", count) % count)
