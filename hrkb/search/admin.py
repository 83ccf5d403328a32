"""The admin's search box, backed by the search engine."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db.models import Case, FloatField, Value, When

from hrkb.admin_lists import Walk, along_its_index, holds_the_page_early, list_reading, list_walk
from hrkb.scale import AtLeast, among, planned_count, read_keys, through_trigrams

from .documents import is_searchable
from .engine import count_at_most, match_ids, search_expressions, search_queryset
from .query import SearchQueryError, clean, parse


class RankedSearchAdminMixin:
    """Search the admin's change list (and its autocomplete) with the API's search engine.

    Put it before ``admin.ModelAdmin`` in the bases. The change list shows the
    engine's matches best first (web-search syntax, misspelt names, aliases),
    then whatever Django's own ``search_fields`` matching finds besides, so
    searches through relations the search documents do not hold (a report by
    its author's name) keep working. Sorting by a column wins over relevance.
    ``search_fields`` must be set (the admin shows the search box only then);
    models without a search document use it alone.
    """

    def get_search_results(self, request, queryset, search_term):
        if not is_searchable(queryset.model):
            return super().get_search_results(request, queryset, search_term)
        try:
            query = clean(search_term)
        except SearchQueryError as error:
            messages.warning(request, str(error))
            return queryset.none(), False
        if not query:
            return queryset, False
        ordering = list(queryset.query.order_by)
        parsed = parse(query)
        if not parsed:  # only exclusions, or no searchable word: search_fields alone
            found_ids = self._search_fields_keys(request, queryset, search_term)
            return queryset.filter(pk__in=found_ids).annotate(search_rank=Value(0.0)), False
        sorted_by_column = bool(request.GET.get(ORDER_VAR) and ordering)
        common = match_ids(queryset.model, parsed) is None  # the planner expects a word in most rows
        if (
            request.method == "GET"
            and not sorted_by_column
            and self._matches_fill_the_list(request, queryset, parsed, common=common)
        ):
            list_reading(request).by_relevance = True
            return search_queryset(queryset, parsed), False
        # Asked only now: what search_fields finds is on no page the engine's matches fill (and a list's
        # SubquerySearchMixin asks the planner which word is rarest, 20 ms for the reports list).
        found_ids = self._search_fields_keys(request, queryset, search_term)
        reading = list_reading(request)
        # Every match is ranked (no cap: the best match is on the first page however old it is). The match tests
        # each row's own document, in the score's CASE too: an id subquery there collected the engine's matches
        # again for the page's rows (24 ms for the 50 rows of "north korea" at 100,000 reports).
        match, score = search_expressions(queryset.model, parsed)
        walk = None
        if common:  # a word in most rows: each row is tested, which finds a page's worth at once
            # search_fields' matches read once, not once more in each of the page's statements (its count, its
            # rows, the date hierarchy's bounds and years): 110-190 ms each for "north korea" at 100,000 reports.
            found_keys, _past_cap = self._read_once(request, found_ids)
            tested = match | among("pk", found_keys)
            results = queryset.filter(tested)
            if sorted_by_column:
                walk = self._walk_by_column(request, queryset, parsed, tested)
        else:  # one IN over both sets of matches, joined from their side (an OR would test every row)
            engine_ids = queryset.filter(match).order_by().values_list("pk", flat=True)
            matched = engine_ids.union(found_ids.values_list("pk", flat=True))
            matched, past_cap = self._read_once(request, matched)
            reading.keys_listed = isinstance(matched, list)
            results = queryset.filter(among("pk", matched))
            if past_cap:
                reading.counted[_keys_sql(results)] = self.paginator.COUNT_AT_MOST + 1
        results = results.annotate(
            search_rank=Case(When(match, then=score), default=Value(0.0), output_field=FloatField())
        )
        if walk is not None and walk.by is None:
            return results.order_by(*along_its_index(ordering)), False
        if sorted_by_column:
            return results.order_by(*ordering), False
        reading.by_relevance = True
        return results.order_by("-search_rank", "-pk"), False

    def _search_fields_keys(self, request, queryset, search_term):
        """The keys of the rows Django's ``search_fields`` find (``hrkb.admin.SubquerySearchMixin``'s subqueries
        where the admin has it), each once whatever relations they crossed: a set of keys in this list, asked
        so (``ListReading.keys_only``), neither walked nor paged with its count as a list of its own."""
        reading = list_reading(request)
        reading.keys_only = True
        try:
            found, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        finally:
            reading.keys_only = False
        return found.order_by().values("pk")

    def _walk_by_column(self, request, queryset, parsed, test) -> Walk | None:
        """How the list, sorted by a column, is read in the column's order, each row tested, until its page is
        full (``hrkb.admin.EstimatedCountPaginator`` reads it: :func:`~hrkb.admin_lists.list_walk`); None if it
        is read from its matches. ``test``: whether a row is in the list (the engine's match or search_fields').

        Asked for a word the planner expects in most rows: sorted by a column, the list then tests every row
        and sorts every match (the reports matching "famine", 91,978 of 100,015: 0.65-1.2 s for a page of 100).
        When the engine's matches alone pass the paginator's cap, the page's rows are among the first in the
        column's order, if the column leads an index with the key (and the first rows hold the page) or is a
        foreign key's records' order. Not for rarer words, read from their matches: the reports matching
        "north korea" (24,724) walked by title took 2.1 s, what search_fields finds for it computed for each
        query (0.4 s) and the date hierarchy scanning the table for the years of every match (1.5 s).
        """
        walk = list_walk(request, self)
        if walk is None or request.method != "GET":  # actions (POST) act on every match
            return None
        if self._count(request, search_queryset(queryset, parsed)) <= self.paginator.COUNT_AT_MOST:
            return None
        if walk.by is None and not holds_the_page_early(request, queryset, [test], self.list_per_page):
            return None
        list_reading(request).walk = walk
        return walk

    #: Matches read as a list at most; past this many, the list's queries each compute them again.
    READ_MOST = 200_000

    def _read_once(self, request, ids):
        """``ids`` read as a list, so the page, its count and its dates do not each repeat the search (three
        passes over the union at 100,000 reports: 1.3 s for the reports matching "north korea" sorted by
        title), and whether the paginator's cap was passed (the list is then not counted again:
        :meth:`get_paginator`); the subquery itself past :attr:`READ_MOST`. Once a request: "Show counts"
        builds the list again for each filter's counts (four reads of 100-110 ms for "north korea")."""
        cap = getattr(getattr(self, "paginator", None), "COUNT_AT_MOST", None)
        if cap is None:
            return ids, False
        known = list_reading(request).read_keys
        key = str(ids.query)
        if key not in known:
            # search_fields' half tests columns that lead B-tree indexes too (the title): see through_trigrams.
            with through_trigrams(ids.db):
                known[key] = read_keys(ids[: self.READ_MOST + 1])
        read = known[key]
        if len(read) > self.READ_MOST:
            return ids, True
        return read, len(read) > cap

    def get_paginator(self, request, queryset, *args, **kwargs):
        paginator = super().get_paginator(request, queryset, *args, **kwargs)
        # A list whose matches were counted past the cap already (_count, _read_once) is not counted again.
        counted = list_reading(request).counted
        if counted and hasattr(queryset, "query") and counted.get(_keys_sql(queryset), 0) > paginator.COUNT_AT_MOST:
            paginator.__dict__["count"] = AtLeast(paginator.COUNT_AT_MOST)
        return paginator

    def _matches_fill_the_list(self, request, queryset, parsed, *, common: bool) -> bool:
        """Whether the engine's matches alone fill every page of the list a reader can reach.

        Then the matches ``search_fields`` adds (ranked after every engine match) are on no page
        the paginator can show, and the engine's own order is the list's: on PostgreSQL the RUM
        index reads the first page in order where ranking every match of a word found in most
        of 100,000 reports takes more than a second. The count is exact (it stops past the cap),
        asked only when the planner expects a word in most rows (``common``) or a tenth of the cap:
        it multiplies words' frequencies as if they were independent, and "north korea", always
        together, was expected in 9,338 of 100,000 reports and is in 24,724 (1.6 s for the list
        as a union, 0.14 s in RUM's order). Actions (POST) always act on every match.
        """
        paginator = getattr(self, "paginator", None)
        cap = getattr(paginator, "COUNT_AT_MOST", None)
        if cap is None:
            return False
        matches = search_queryset(queryset, parsed)
        if not common and (planned_count(matches) or 0) < cap / 10:
            return False
        return self._count(request, matches) > cap

    def _count(self, request, matches) -> int:
        """``matches`` counted to one past the paginator's cap at most, once a request (``ListReading.counted``:
        the list is built again for each filter's counts under "Show counts")."""
        counted = list_reading(request).counted
        key = _keys_sql(matches)
        if key not in counted:
            counted[key] = count_at_most(matches, self.paginator.COUNT_AT_MOST + 1)
        return counted[key]


def _keys_sql(queryset) -> str:
    """The SQL that lists ``queryset``'s keys in no order: two lists with the same one hold the same rows."""
    return str(queryset.order_by().values("pk").query)
