"""PostgreSQL search: stored tsvectors, ranked exactly; RUM reads the best matches in order.

Every match is a candidate: the first page holds the best-ranked readable
matches among all of them, whatever their age. Two rank functions, one per
installation, each used for every query of that installation:

- with the RUM extension (``postgresql-15-rum``; the migration creates it and a
  RUM index on each search vector where it can), the score is RUM's
  ``rum_ts_score``, weights A 1.0, B 0.4, C 0.2, D 0.1, so a title match
  outweighs a summary match outweighs a body match. For one word it is
  ``ts_rank``'s formula (each occurrence by its part's weight, the n-th best
  counting 1/n² as much); for several it is cover density, ``ts_rank_cd``'s idea:
  each shortest span holding all the words scores by its parts' weights, less
  for every other word inside it, and repeats of a span of the same words count
  1/n² as much. The list ``search`` orders by the distance ``search_vector <=>
  query`` (its inverse), which the RUM index returns in order: ``LIMIT k``
  reads about ``k`` rows rather than ranking every match;
- a phrase must appear as written to match, and is scored as its words
  together (cover density rewards them close together): RUM's index order is
  not the rank order of a phrase operator (at 100,000 reports, 6 of the 10
  best phrase matches in index order were the exhaustive ranking's), and it
  is the order of its words together;
- a query that sums parts weighs each by its terms' rarity, BM25's IDF
  (``_parts``, ``_weights``): two or three alternatives ("famine OR
  kwalliso") score each alone, so a match holding the rare word comes before one repeating the
  common one; three or more required groups score the sum of their
  neighbouring pairs ("human rights violations": "human rights" plus "rights
  violations"). A word's rarity is counted among the rows the client may
  read, so no hidden record moves a score. One word, or two together, is not
  weighed: every match holds them all, and a weight would scale every score
  alike;
- RUM's index order is the score's only for at most two lexemes (see
  ``_in_index_order``). A sum of parts of at most two lexemes each is read
  from each part's own index order, and ``threshold_top`` stops once no
  unread match can come first. A word PostgreSQL's parser splits ("Sang-na"
  makes ``sang-na``, ``sang`` and ``na``) is scored by its whole alone.
  Anything else ("camp OR prison labour", a phrase of three words, an
  alternative of three words) ranks every match;
- without it (a managed PostgreSQL that does not offer RUM), ``ts_rank`` with
  the same weights and parts ranks every match: still exact, slower for very common
  words (about 0.8 s for a word in 90 % of 100,000 reports).

Scores are mapped onto 0..1 as ``rank / (rank + 1)``. Actors are also found by
misspelt names (pg_trgm); their score is the better of the two, and since no
index orders by that, every matching actor is ranked (the table is small).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from hrkb.readers import READERS, read_ahead, read_soon
from hrkb.scale import DENSE, by_key, estimated_rows, planned_rows, setting

from .documents import START, STOP, Marked, SearchType, fuzzy_table
from .query import ParsedQuery
from .schema import CONFIG, named_by, rum_index

NAMES = "lower(unaccent(%(names)s))"
_NAMED = re.compile(r"%\((\w+)\)s")
HEADLINE_OPTIONS = (
    f'StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … "'
)
TITLE_OPTIONS = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
# ts_headline parses the whole document it is given: bound the work for very long texts.
HEADLINE_TEXT_LIMIT = 100_000
#: The fewest rows whose passages are cut from texts in shares at once (:func:`snippets`).
SHARED_PASSAGES = 4
#: The annotation a list's ``search`` orders by where RUM can give the order (see hrkb.api.pagination).
DISTANCE = "search_distance"
#: The prefix of the annotations that give each part's distance (see :attr:`Ranking.parts`).
PART = "search_part_"
#: The annotation that gives the distance of alternatives read together (see :attr:`Ranking.whole`).
WHOLE = "search_whole"


def _tsquery(parsed: ParsedQuery, *, scoring: bool = False) -> tuple[str, dict]:
    """The query as a tsquery expression built with tsquery operators, and its parameters.

    Built rather than left to ``websearch_to_tsquery``, whose ``a OR b -c``
    means ``a | (b & !c)``: here, as on SQLite, it means ``(a | b) & !c``. Each
    term goes through ``phraseto_tsquery`` (the text search configuration
    normalises it; a phrase's words must be adjacent, ``<->``). ``scoring``: the
    query a match is scored by, each wanted term's words joined by ``&``
    (``plainto_tsquery``), which RUM's index returns in rank order where it
    does not for ``<->`` (see the module's docstring), a word with a hyphen
    by its whole alone (:func:`_scoring_lexemes`); the same parameters.
    """
    groups = _group_queries(parsed, scoring=scoring)
    params = {}
    for group_index, group in enumerate(parsed.groups):
        for term_index, term in enumerate(group):
            params[f"q_{group_index}_{term_index}"] = term.text
            if not _plain(term):
                params[f"s_{group_index}_{term_index}"] = _scoring_query(term.text)
    for index, term in enumerate(parsed.excluded):
        params[f"x_{index}"] = term.text
        groups.append(f"(!! phraseto_tsquery('{CONFIG}', %(x_{index})s))")
    return "(" + " && ".join(groups) + ")", params


def _group_queries(parsed: ParsedQuery, *, scoring: bool) -> list[str]:
    """Each required group as a tsquery expression (its terms joined by ``||``), named parameters as
    :func:`_tsquery` gives them."""
    return [
        "("
        + " || ".join(_term_query(group_index, index, term, scoring=scoring) for index, term in enumerate(group))
        + ")"
        for group_index, group in enumerate(parsed.groups)
    ]


def _term_query(group_index: int, term_index: int, term, *, scoring: bool) -> str:
    """One term of a required group as a tsquery expression, named parameters as :func:`_tsquery` gives them."""
    if scoring and not _plain(term):
        return f"%(s_{group_index}_{term_index})s::tsquery"
    wanted = "plainto_tsquery" if scoring else "phraseto_tsquery"
    return f"{wanted}('{CONFIG}', %(q_{group_index}_{term_index})s)"


def _plain(term) -> bool:
    """Whether ``term`` is words of letters and digits alone, each at most one lexeme as the parser makes it."""
    return all(word.isalnum() for word in term.words)


@dataclass(frozen=True)
class Part:
    """One part of a score that sums several (see :func:`_parts`): the query it is scored by, the match
    queries of the terms whose rarity weighs it, whether RUM's index returns its matches in its order, and
    whether every match holds it (two required neighbours, unlike one of several alternatives)."""

    scoring: str
    terms: tuple[str, ...]
    in_order: bool
    in_every_match: bool = False


#: The most alternatives weighed each by its rarity; more are scored together, unweighed, in RUM's order. Each is
#: an order of its own to read (every match of the alternatives holding it), and the threshold needs them deeper as
#: they grow: at 100,000 reports, three words in most reports took 370-600 ms, four 1.3-1.6 s, and fifteen did not
#: settle in 12,800 rows of each, so that every match was ranked by fifteen scores (17 s; 1.7 s scored together).
WEIGHED_ALTERNATIVES = 3


def _parts(parsed: ParsedQuery) -> list[Part]:
    """The parts a query's score sums, each weighed by its terms' rarity (:func:`_weights`); none for one part.

    - One group of two or three alternatives (:data:`WEIGHED_ALTERNATIVES`; "famine OR kwalliso"): each
      alternative, scored alone. A match holding the rare word comes before one that repeats the
      common one: BM25's IDF, where RUM's score of the alternatives together (the sum of each one's
      score) counts every occurrence alike.
    - Three or more required groups: each two neighbours together, as a sequential dependence model
      sums the proximity of neighbouring query words ("human rights violations" is "human" near
      "rights" plus "rights" near "violations"), each pair weighed by its two groups' mean rarity.
      Groups of stop words alone ("the", "to") are no one's neighbour: their query is empty, and
      "right to food" pairs "right" with "food".

    Anything else is scored whole: one term, or two groups, which every match holds both of (their
    rarity would weigh every match alike). A part is read in RUM's order where it has at most
    :data:`IN_ORDER_WORDS` lexemes (:func:`_in_index_order`): an alternative, or a pair of groups of one
    term of one lexeme each.
    """
    if len(parsed.groups) == 1:
        group = parsed.groups[0]
        parts = [
            Part(
                _term_query(0, index, term, scoring=True),
                (_term_query(0, index, term, scoring=False),),
                _lexemes(term) <= IN_ORDER_WORDS,
            )
            for index, term in enumerate(group)
            if _lexemes(term)
        ]
        return parts if 1 < len(parts) <= WEIGHED_ALTERNATIVES else []
    if len(parsed.groups) < 3:
        return []
    kept = [
        (scoring, matching, len(group) == 1 and _one_lexeme(group[0]))
        for scoring, matching, group in zip(
            _group_queries(parsed, scoring=True), _group_queries(parsed, scoring=False), parsed.groups, strict=True
        )
        if any(_lexemes(term) for term in group)
    ]
    if len(kept) < 3:
        return []
    return [
        Part(f"({first[0]} && {second[0]})", (first[1], second[1]), first[2] and second[2], in_every_match=True)
        for first, second in itertools.pairwise(kept)
    ]


def _weights(table: str, parts: list[Part], params: dict, restricted: bool | None) -> list[float]:
    """Each part's weight: the mean of its terms' IDF among the rows of ``table`` a client of this clearance
    may read (``None``: a curator, every row), as BM25 weighs a term: ``ln(1 + (N - n + 0.5) / (n + 0.5))``
    for ``n`` of ``N`` rows holding it.

    Counted among readable rows only, as SQLite's bm25 ranks over the audience's own table: no draft or
    restricted record moves a score a client sees. The counts are kept for the process until the change
    log (:mod:`hrkb.changelog`), which every write to a searched table or what its documents hold
    extends, has grown.
    """
    generation = _generation()
    readable, readable_params = _corpus(table, restricted)
    key = (connection.settings_dict["NAME"], generation, table, readable, tuple(readable_params))
    rows = _counted(*key, None, ())
    weights = []
    for part in parts:
        idfs = []
        for term in part.terms:
            sql, values = _positional(term, params)
            held = _counted(*key, sql, tuple(values))
            idfs.append(math.log(1 + (rows - held + 0.5) / (held + 0.5)))
        weights.append(sum(idfs) / len(idfs))
    return weights


def _generation() -> int:
    from hrkb.changelog import LOG_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max("id") FROM "{LOG_TABLE}"')
        return cursor.fetchone()[0] or 0


@functools.lru_cache(maxsize=4096)
def _counted(
    _database, _generation, table: str, readable: str, readable_params: tuple, term, term_params: tuple
) -> int:
    """How many readable rows of ``table`` hold ``term`` (a tsquery expression; ``None``: how many readable rows).

    The database's name and the change log's generation only key the cache."""
    held = "TRUE" if term is None else f'"t"."search_vector" @@ {term}'
    # Through the indexes: a scan of a word's rows would read every search vector, and a scan of every row the
    # whole heap, where the access rule's indexes lead to the live rows' pages (at 100,000 reports, 36 ms to count
    # the readable ones against 165-315 for a scan of a heap of 540 MB).
    with through_index() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{table}" "t" WHERE {held} AND {readable}', [*term_params, *readable_params]
        )
        return cursor.fetchone()[0]


def _corpus(table: str, restricted: bool | None) -> tuple[str, list]:
    """The rows of ``table`` a client of this clearance reads, on the row ``t`` (people and organisations alike)."""
    if restricted is None:
        return "TRUE", []
    from hrkb.public_types import searchable

    public_type = next(public_type for public_type in searchable() if public_type.model._meta.db_table == table)
    return public_type.readable_sql("t", restricted=restricted, of_kind=False)


def _params(parsed: ParsedQuery) -> dict:
    return {**_tsquery(parsed)[1], "names": parsed.names_text}


def has_rum(table: str) -> bool:
    """Whether ``table``'s search vector has its RUM index (looked up once per connection; a bulk load that drops
    it forgets the answer: :mod:`hrkb.search.bulk`)."""
    # On the connection itself: ``django.db.connection`` is a proxy every thread shares, so its own
    # ``__dict__`` is not the connection's, and the bulk load (given the connection) would forget nothing.
    wrapper = connections[DEFAULT_DB_ALIAS]
    cache, key = _rum_known(wrapper, table)
    if key not in cache:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [rum_index(table)])
            cache[key] = cursor.fetchone() is not None
    return cache[key]


def forget_rum(connection, table: str) -> None:
    """Make :func:`has_rum` look again on ``connection`` (a bulk load dropped or brought back the index)."""
    cache, key = _rum_known(connection, table)
    cache.pop(key, None)


def _rum_known(connection, table: str) -> tuple[dict, tuple]:
    return connection.__dict__.setdefault("_hrkb_rum", {}), (connection.settings_dict["NAME"], table)


@dataclass(frozen=True)
class Ranking:
    """How the rows ``alias`` of a table match and score, as SQL with :func:`_params`' named parameters.

    ``score``: the engine's 0..1 rank (tests and the benchmark rank every match with it to check the
    engine's pages); ``distance``: its inverse where RUM's index returns the matches in its order
    (``ORDER BY distance LIMIT k``), else None; ``parts``: where the score sums parts
    (:func:`_parts`) that RUM's index each returns in its own order, each part's distance and weight,
    for :func:`threshold_top` to find the best matches from their orders; ``whole``: for alternatives of one
    lexeme each, the distance of all of them together, whose score is the sum of theirs unweighed (RUM's
    index returns it in order), which bounds theirs weighed.
    """

    match: str
    score: str
    distance: str | None = None
    parts: tuple[ReadPart, ...] = ()
    whole: str | None = None

    @property
    def orders(self) -> list[ReadPart]:
        """The orders :func:`threshold_top` reads: each part's, then the whole's (every match holds it; its
        weight is not used)."""
        return [*self.parts, *([ReadPart(self.whole, "TRUE", 0.0)] if self.whole else [])]


@dataclass(frozen=True)
class ReadPart:
    """A part of a score read in RUM's order: its distance, the condition that a row holds it (scores above 0;
    TRUE where every match does), and its weight."""

    distance: str
    held: str
    weight: float


def match_condition(alias: str, parsed: ParsedQuery, *, fuzzy: bool) -> str:
    """Whether the row ``alias`` matches (named parameters: :func:`_params`)."""
    match = f'"{alias}"."search_vector" @@ {_tsquery(parsed)[0]}'
    return f'({match} OR {NAMES} <%% "{alias}"."search_names")' if fuzzy else match


def rank_sql(table: str, alias: str, parsed: ParsedQuery, *, fuzzy: bool, restricted: bool | None) -> Ranking:
    """The :class:`Ranking` of ``parsed`` on the row ``alias`` of ``table``, for a client of this clearance
    (``None``: a curator), whose readable rows weigh the parts of a score that sums several (:func:`_weights`).
    """
    vector = f'"{alias}"."search_vector"'
    rum = has_rum(table)
    function = "rum_ts_score" if rum else "ts_rank"
    parts = _parts(parsed)
    # Both functions return real (float4): as double precision, the rank a client gets back in a
    # keyset cursor compares equal to the rank the database computes again for the next page.
    if parts:
        weights = _weights(table, parts, _params(parsed), restricted)
        raw = " + ".join(
            f"{weight!r}::double precision * {function}({vector}, {part.scoring})::double precision"
            for weight, part in zip(weights, parts, strict=True)
        )
    else:
        raw = f"({function}({vector}, {_tsquery(parsed, scoring=True)[0]}))::double precision"
    score = f"(({raw}) / (1 + ({raw})))"
    if fuzzy:
        score = f'greatest({score}, word_similarity({NAMES}, "{alias}"."search_names"))'
        return Ranking(match_condition(alias, parsed, fuzzy=True), score)
    if not rum:
        return Ranking(match_condition(alias, parsed, fuzzy=False), score)
    if parts:
        # Each part in its own order: exactly `vector <=> query` (no cast) or the planner does not see the RUM
        # index's ordering operator.
        in_order = all(part.in_order for part in parts)
        # A part every match holds needs no test of its own: RUM would intersect its words' entries again for
        # each match ("political prison camp": 177 -> 141 ms a pair's read at 100,000 reports).
        read = tuple(
            ReadPart(
                f"{vector} <=> {part.scoring}", "TRUE" if part.in_every_match else f"{vector} @@ {part.scoring}", weight
            )
            for part, weight in zip(parts, weights, strict=True)
        )
        # Alternatives of one lexeme each are also read together, in the order of the sum of their scores.
        together = len(parsed.groups) == 1 and not parsed.excluded
        whole = f"{vector} <=> {_tsquery(parsed, scoring=True)[0]}" if together else None
        whole = whole if whole and _in_index_order(parsed) else None
        return Ranking(match_condition(alias, parsed, fuzzy=False), score, parts=read if in_order else (), whole=whole)
    # It is real (float4); a cursor's value comes back as double precision, compared exactly (float48 operators).
    # The index tests the phrase and orders by its words, where its order is the rank order (_in_index_order).
    distance = f"{vector} <=> {_tsquery(parsed, scoring=True)[0]}" if _in_index_order(parsed) else None
    return Ranking(match_condition(alias, parsed, fuzzy=False), score, distance)


#: The most lexemes a query may have for RUM's index order to be the rank order (one alternative of many aside).
IN_ORDER_WORDS = 2


def _in_index_order(parsed: ParsedQuery) -> bool:
    """Whether RUM's index returns the matches of ``parsed`` in the rank function's order.

    Both compute a match's score by cover density (``calc_score_docr`` in RUM's
    ``rum_ts_utils.c``), the index from the positions it stores, ``rum_ts_score``
    from the row's vector; repeats of a span of the same words are damped, and
    the spans are grouped by a sum of shifted pointers to their words, laid out
    differently in the index and in the row. Two spans of different words can
    then be one group on one side and two on the other: for three or more
    lexemes the index's order is not the score's. At 100,000 reports "famine
    torture refugees" came with 456 inversions in its first 2,000 rows and a
    wrong first page, "lim hye hee" with 212, "Lim Hoon-il" (four lexemes: the
    parser splits "hoon-il" and keeps the whole) with a wrong first page; at
    10,000, "camp OR prison labour" (three lexemes, two at a time) with 408.
    What is safe: at most :data:`IN_ORDER_WORDS` lexemes (spans of two words
    have keys ``2a + b`` and ``2b + a``, never equal), or one group of
    alternatives of one lexeme each (every span a single word, its key its own
    pointer): 0 inversions in 2,000 rows for each of 20 such queries. (Two or
    three alternatives are weighed by their rarity and read each in its own
    order, :func:`_parts`; their order together bounds them, :attr:`Ranking.whole`.)
    """
    groups = parsed.groups
    if len(groups) == 1 and all(_one_lexeme(term) for term in groups[0]):
        return True
    terms = [term for group in groups for term in group]
    # Words of letters and digits make at most one lexeme each: most queries need not ask the parser.
    if all(_plain(term) for term in terms) and sum(len(term.words) for term in terms) <= IN_ORDER_WORDS:
        return True
    return sum(_lexemes(term) for term in terms) <= IN_ORDER_WORDS


def _one_lexeme(term) -> bool:
    return (_plain(term) and len(term.words) == 1) or _lexemes(term) <= 1


def _lexemes(term) -> int:
    """The lexemes ``term`` is scored by: stop words dropped ("the right to food": 2), a word with a hyphen one
    ("Sang-na": 1, see :func:`_scoring_lexemes`)."""
    return len(_scoring_lexemes(term.text))


@functools.lru_cache(maxsize=4096)
def _scoring_lexemes(text: str) -> tuple[tuple[str, ...], ...]:
    """The lexemes of each word of ``text`` as PostgreSQL's parser and dictionaries make them, stop words dropped.

    A word with a hyphen is its whole alone: the parser also makes its parts ("Sang-na" is ``sang-na``,
    ``sang`` and ``na``), which would make a name of two words four lexemes to hold together, and RUM's
    index order is not the score's past two (see :func:`_in_index_order`). The phrase still matches as
    written; the parts add nothing to its score that the whole does not say. The parser is the
    database's, but the same in every database of this schema (the migration's configuration), so
    the answer is kept for the process.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT lexemes FROM ts_debug('{CONFIG}', %s)"
            " WHERE alias NOT IN ('hword_part', 'hword_asciipart', 'hword_numpart') AND lexemes <> '{}'",
            [text],
        )
        return tuple(tuple(row[0]) for row in cursor.fetchall())


def _scoring_query(text: str) -> str:
    """:func:`_scoring_lexemes` as tsquery input: the words joined by ``&``, a word's alternative lexemes by ``|``."""

    def quoted(lexeme: str) -> str:
        # tsquery input: a quoted lexeme doubles its quotes and backslashes.
        return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join(
        "(" + " | ".join(map(quoted, lexemes)) + ")" if len(lexemes) > 1 else quoted(lexemes[0])
        for lexemes in _scoring_lexemes(text)
    )


def match_sql(search_type: SearchType, parsed: ParsedQuery, alias: str, restricted: bool | None) -> tuple[str, list]:
    """Whether the row ``alias`` of ``search_type``'s table matches, with positional parameters (for facets).

    The access rule is the caller's to add; ``restricted`` makes no difference here (see :func:`filter_queryset`).
    """
    return _positional(match_condition(alias, parsed, fuzzy=search_type.fuzzy), _params(parsed))


#: The year of a date column, as an integer (for the year facet).
YEAR = "CAST(EXTRACT(YEAR FROM {column}) AS integer)"


def facet_rows(sql: str, params: list) -> list[tuple]:
    """Run the facets' statement with the matches read through the search index (:func:`through_index`)."""
    with through_index() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def through_index():
    """Statements that read a search's matches through the search index, never a table scan.

    For a word in most rows the planner prefers a sequential scan that evaluates ``@@`` on every row,
    reading (detoasting) every search vector: 1.2 s for the facets of a word in 92 % of 100,000
    reports, against 85 ms for the RUM (or GIN) index's bitmap of the same matches, whose rows need no
    recheck; the 10,001 rows that prove "famine torture refugees" fills an admin list, 60-80 ms
    against 40-50. Its cost model does not price the detoasting, so the scan is switched off for
    these statements; inside :func:`sort_memory`'s savepoint, so that an error rolls the setting back.
    """
    with sort_memory() as cursor, setting(cursor, "enable_seqscan", "off"):
        yield cursor


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery, restricted: bool | None = None) -> QuerySet:
    """The queryset narrowed to every match, annotated with ``search_rank`` (and ``search_distance`` with RUM).

    ``restricted``: the clearance of the client the queryset was narrowed for (``None``: a curator); the
    rows it may read weigh a score that sums parts (:func:`_weights`), so no other record moves a score.

    Every match is ranked; with RUM the caller orders by ``search_distance``
    (ascending), which the index returns in order, so a page costs about its
    own rows and the rows before it.
    """
    model = queryset.model
    table = model._meta.concrete_model._meta.db_table
    ranking = rank_sql(table, table, parsed, fuzzy=fuzzy_table(model), restricted=restricted)
    params = _params(parsed)
    queryset = queryset.filter(RawSQL(*_positional(ranking.match, params), output_field=BooleanField()))
    annotations = {"search_rank": RawSQL(*_positional(ranking.score, params), output_field=FloatField())}
    if ranking.distance is not None:
        annotations[DISTANCE] = RawSQL(*_positional(ranking.distance, params), output_field=FloatField())
    for index, part in enumerate(ranking.parts):
        annotations[f"{PART}{index}"] = PartDistance(
            *_positional(part.distance, params), weight=part.weight, held=_positional(part.held, params)
        )
    if ranking.parts and ranking.whole:
        annotations[WHOLE] = RawSQL(*_positional(ranking.whole, params), output_field=FloatField())
    return queryset.annotate(**annotations)


class PartDistance(RawSQL):
    """A part's distance (:attr:`Ranking.parts`), carrying the part's weight for :func:`top_by_parts`."""

    def __init__(self, sql, params, *, weight: float, held: tuple[str, list]):
        super().__init__(sql, params, output_field=FloatField())
        self.weight = weight
        self.held = RawSQL(*held, output_field=BooleanField())


def part_names(queryset: QuerySet) -> list[str]:
    """The annotations of ``queryset`` (from :func:`filter_queryset`) that give its parts' distances, in order."""
    return sorted(
        (name for name in queryset.query.annotations if name.startswith(PART)), key=lambda name: int(name[len(PART) :])
    )


def top_by_parts(queryset: QuerySet, wanted: int) -> list[int] | None:
    """The primary keys of the best ``wanted`` rows of ``queryset`` (a :func:`filter_queryset` with parts), by
    (rank descending, id descending), from its parts' orders (:func:`threshold_top`); None: rank every match."""
    parts = [queryset.query.annotations[name] for name in part_names(queryset)]
    orders = [
        queryset.filter(part.held).order_by(name).values_list("pk", name)
        for name, part in zip(part_names(queryset), parts, strict=True)
    ]
    whole = WHOLE in queryset.query.annotations
    if whole:
        orders.append(queryset.order_by(WHOLE).values_list("pk", WHOLE))
    top = threshold_top(
        lambda index, depth: list(orders[index][:depth]),
        # The orders passed their rows through the queryset's filters: scored by key alone ("arbitrary detention
        # torture" at 100,000 reports: 197 rows in 6 ms, 26 under the match again, read from the search index).
        lambda ids: dict(by_key(queryset.order_by(), ids, "search_rank").values_list("pk", "search_rank")),
        [part.weight for part in parts],
        wanted,
        whole=whole,
    )
    return None if top is None else [pk for pk, _rank in top]


def rank_expression(model, parsed: ParsedQuery) -> tuple[RawSQL, RawSQL]:
    """The match condition and the score of the current row of ``model``'s table, for the admin.

    The condition tests the row's own search vector. Under an OR with other conditions no index answers it
    and PostgreSQL reads every vector of the table (0.8 s at 100,000 reports for a word found in none): the
    admin ORs it only for a word in most rows (:func:`match_ids` gives None), where testing rows in turn is
    the cheaper plan, and otherwise reads it alone (the search index answers it) or on rows already found.
    """
    table, params = model._meta.concrete_model._meta.db_table, _params(parsed)
    # The admin's readers are curators, who read every row.
    ranking = rank_sql(table, table, parsed, fuzzy=fuzzy_table(model), restricted=None)
    match, score = ranking.match, ranking.score
    return (
        RawSQL(*_positional(match, params), output_field=BooleanField()),
        RawSQL(*_positional(score, params), output_field=FloatField()),
    )


#: Past this share of a table, the admin tests each row rather than collecting the matches first.
MOST = DENSE


def _match_subquery(model, parsed: ParsedQuery) -> tuple[str, str, dict]:
    """``model``'s table, the ids of its matches as a subquery of their own, and its named parameters."""
    table = model._meta.concrete_model._meta.db_table
    inner = match_condition("search_match", parsed, fuzzy=fuzzy_table(model))
    return table, f'SELECT "search_match"."id" FROM {table} "search_match" WHERE {inner}', _params(parsed)


def match_ids(model, parsed: ParsedQuery) -> RawSQL | None:
    """The ids of ``model``'s matches as a subquery of their own, or None for a word expected in most rows.

    The admin unions it with its ``search_fields`` matches into one ``IN`` (joined from the matches'
    side); for a word in most rows, testing rows in turn is the cheaper plan (:func:`_matches_most`).
    """
    _table, subquery, params = _match_subquery(model, parsed)
    if _matches_most(model, subquery, params):
        return None
    return RawSQL(*_positional(subquery, params))


def _matches_most(model, subquery: str, params: dict) -> bool:
    """Whether the planner expects ``subquery`` to match more than :data:`MOST` of ``model``'s table.

    A word in most rows and a rare one need opposite plans, and under the admin's OR PostgreSQL
    cannot choose between them itself: for a word in 92 % of 100,000 reports, collecting 92,000 ids
    first costs a second where testing rows in turn finds the first 10,001 in 0.1 s; for a rare
    word, testing rows reads every search vector (0.8 s) where the index gives the matches at once.
    """
    stored = estimated_rows(model)
    return bool(stored) and planned_rows(*_positional(subquery, params)) > MOST * stored


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """Rewrite ``%(name)s`` placeholders as ``%s`` with their values in order, as RawSQL needs."""
    values = []

    def replace(match: re.Match) -> str:
        values.append(params[match.group(1)])
        return "%s"

    return _NAMED.sub(replace, sql), values


def _readable(search_type: SearchType, restricted: bool) -> tuple[str, dict]:
    """The access rule for ``search_type``'s rows ``t``, with named parameters, applied before ranking
    so nothing unreadable is ranked or counted."""
    return _named("readable", *search_type.readable_sql("t", restricted=restricted))


NO_FILTER = ("TRUE", [])


def _named(prefix: str, sql: str, values: list) -> tuple[str, dict]:
    """Positional ``%s`` placeholders renamed ``%(prefix_N)s``, with their parameters."""
    params = {f"{prefix}_{index}": value for index, value in enumerate(values)}
    names = iter(params)
    return re.sub("%s", lambda _match: f"%({next(names)})s", sql), params


def ranked_sql(
    search_type: SearchType,
    parsed: ParsedQuery,
    *,
    restricted: bool,
    limit: int,
    where: tuple[str, list] = NO_FILTER,
    part: ReadPart | None = None,
    ranking: Ranking | None = None,
) -> tuple[str, dict]:
    """The SQL of :func:`ranked` and its parameters (also for EXPLAIN in the benchmark).

    With RUM the rows come nearest first by distance alone: a second sort key would make PostgreSQL
    rank every match rather than read the index in order. They also carry the distance, for
    :func:`ranked` to settle ties. ``where``: a further condition on ``t`` (facet filters), positional.
    ``part``: the rows holding one part (:attr:`Ranking.parts`), in its order instead. In a distance's
    order the scores are NULL. ``ranking``: the query's :func:`rank_sql` for this client, where the caller
    has it.
    """
    ranking = ranking or _ranking(search_type, parsed, restricted)
    match, score, distance = ranking.match, ranking.score, ranking.distance
    readable, readable_params = _readable(search_type, restricted)
    filtered, filtered_params = _named("where", *where)
    if part is not None:
        distance, match = part.distance, f"{match} AND {part.held}"
    if distance:
        # Read in RUM's order, rows are scored by the caller, and only those it keeps (:func:`_scores`): a score
        # in each row read would detoast and rank a thousand documents for a page of twenty.
        order, extra, score = distance, f", {distance} AS distance", "NULL"
    else:
        order, extra = "score DESC, t.id DESC", ""
    sql = f"""
        SELECT t.id, {score} AS score{extra} FROM {search_type.table} t
        WHERE {match} AND {readable} AND {filtered}
        ORDER BY {order} LIMIT %(limit)s
    """
    return sql, {**_params(parsed), **readable_params, **filtered_params, "limit": limit}


#: Rows read at least once the last row wanted is tied with the next (see :func:`nearest`).
TIED_BATCH = 1000
#: Rows a first read takes per row wanted where the caller allows a deep one (``first``). At 100,000 reports the rows
#: tied with the 20th best of the benchmark's words, phrases, common words and names reach row 150 at most (12 of 30
#: past row 20); reading 200 rows rather than 1,000 takes 6-8 ms less ("prison camp" 82 -> 74 ms, "famine" 52 -> 46,
#: "Darusman" 11 -> 5: each row read is a heap row fetched and checked).
FIRST_PER_ROW = 10


def first_read(*, narrowed: bool) -> int | None:
    """The most rows :func:`nearest` reads at once first: :data:`TIED_BATCH` unless a filter may pass few matches."""
    return None if narrowed else TIED_BATCH


def nearest(fetch, wanted: int, distance_of, id_of, *, first: int | None = None) -> list:
    """The first ``wanted`` rows by (distance, id descending), from ``fetch(n)``: the nearest ``n`` by distance alone.

    RUM's index orders by distance alone (a second sort key would make PostgreSQL rank every
    match), so rows tied in distance come in any order: read on until every row tied with the
    last one wanted is in, then sort those few by the full order. Exact. One row past the ones
    wanted tells whether the last is tied; if it is, the next read is :data:`TIED_BATCH` rows at
    least: the index computes the distance of every match whatever the LIMIT (60 ms for "famine"
    at 100,000 reports, for 21 rows as for 1,000; 150 ms for a name in 33,000 of them), and
    templated texts tie by tens and hundreds. The first read stays small: with a filter (a facet,
    the access rule) each row read is a heap row checked, and a filter may pass few of them; a
    caller that knows its filter passes most rows may allow up to ``first`` rows at once, and the
    first read is then :data:`FIRST_PER_ROW` rows per row wanted (up to ``first``): enough for
    most ties, so that no second pass over every match is needed, and few enough that the rows
    read past the page cost little (at 100,000 reports, 129 ms for 21 rows of "tribunal OR
    sanctions", 138 ms for 1,000).
    """
    batch = max(wanted + 1, min(first or 0, FIRST_PER_ROW * wanted))
    while True:
        rows = fetch(batch)
        if len(rows) < batch or distance_of(rows[-1]) > distance_of(rows[wanted - 1]):
            break
        batch = max(batch * 8, TIED_BATCH)
    rows.sort(key=lambda row: (distance_of(row), -id_of(row)))
    return rows[:wanted]


#: How deep :func:`threshold_top` first reads each part's order (at least, and rows per row wanted), and the depth
#: past which it stops reading: each further read is four times deeper. A read costs about the same however deep
#: (RUM computes every match's distance before the first row; only rows that may be among the best are scored),
#: so the first is deep. At 100,000 reports, "famine torture refugees" took 570 ms for the admin's page of 100
#: read 200 then 800 rows deep, 290 ms read 800 deep at once; "human rights violations" 277 ms for /search/'s 20
#: read 200 then 800 deep, 157 ms read 500 deep.
PART_DEPTH = 500
PART_DEPTH_PER_ROW = 8
PART_DEPTH_MOST = 12_800


#: How much heavier than the lightest the heaviest weight of alternatives may be for :func:`threshold_top` to read them
#: together first. At 100,000 reports, "defectors OR refugees" (weights 0.084 and 0.067) took 164-276 ms from the
#: whole order against 280-406 from each one's; "korea OR rights" (0.92 and 0.39) 430-537 ms reading the whole order
#: first, 367-495 without.
ALIKE = 1.5


def threshold_top(
    fetch, scores, weights: list[float], wanted: int, *, whole: bool = False
) -> list[tuple[int, float]] | None:
    """The best ``wanted`` rows by (score descending, id descending), where a row's raw score is the sum of
    its scores in several orders each read best first from RUM's index, each times its order's weight
    (Fagin's threshold algorithm).

    ``fetch(list, depth)``: the first ``depth`` rows that have one part as (id, distance), nearest first (a
    distance is the inverse of the part's score). ``scores(ids)``:
    {id: score}, each row's 0..1 rank (the raw sum ``s`` mapped to ``s / (1 + s)``) as :func:`rank_sql`
    computes it on the row. A row no order has reached yet scores at most the weighed sum of each
    order's last score: once the ``wanted``-th best row read ranks above that, no row unread can come
    before it, and the page is exact. Else the orders are read deeper; an order shorter than asked has
    given every row that has its part (a row it did not reach scores nothing in it, and it is not read
    again), and once every order has, every match is known. None when :data:`PART_DEPTH_MOST` rows of each did
    not settle it (the caller ranks every match). The orders are read at once, each on a connection of
    its own (:func:`hrkb.readers.read_ahead`).

    ``whole``: ``fetch(len(weights), depth)`` gives every match by the sum of its parts' scores unweighed
    (alternatives of one lexeme each, whose score together RUM's index returns in order): a row scores at
    most the heaviest weight times that sum, and at least the lightest times it. Where the weights are alike
    (:data:`ALIKE`) it is read first, alone, and often settles the page in one read; the parts' orders only
    if it does not.

    Only the rows read that may still be among the best are scored on the row: a row's scores in the
    orders that reached it are known from their distances, and in each other order it scores at most
    that order's last score, so a row whose most is below the ``wanted``-th best least cannot be among them.
    """
    depth = max(PART_DEPTH, PART_DEPTH_PER_ROW * wanted)
    heaviest = max(weights)
    # The whole order bounds by the heaviest weight: a bound that reads little only where the weights are alike.
    whole = whole and heaviest <= ALIKE * min(weights)
    lists = len(weights) + whole
    read: dict[int, tuple[list, bool]] = {}  # each order's rows read so far, and whether they are all it holds
    # The whole order first: for alternatives about as rare as each other it settles the page alone.
    wanted_orders = [len(weights)] if whole else list(range(lists))
    while True:
        reads = [functools.partial(_in_sort_memory, fetch, index, depth) for index in wanted_orders]
        for index, rows in zip(wanted_orders, read_ahead(reads, readers=min(len(reads), READERS)), strict=True):
            read[index] = (rows, len(rows) < depth)
        known: dict[int, float] = {}  # each row's scores in the orders that reached it, summed
        reached: dict[int, int] = {}  # which orders reached it, one bit each
        last = []
        for index, weight in enumerate(weights):
            rows, ended = read.get(index, ((), False))
            if index not in read:
                last.append(math.inf)  # not read yet: no bound from it
            else:
                last.append(0.0 if ended else weight * _score_of(rows[-1][1]))  # a row it did not reach: nothing in it
            for row_id, distance in rows:
                known[row_id] = known.get(row_id, 0.0) + weight * _score_of(distance)
                reached[row_id] = reached.get(row_id, 0) | 1 << index
        together: dict[int, float] = {}  # each row the whole order reached: its score there, the parts' unweighed
        # A row scores between the lightest weight and the heaviest times that sum; generous by a part in a million:
        # RUM's score of the alternatives together and the sum of theirs round apart in the last places of a real.
        between = (min(weights) * (1 - 1e-6), heaviest * (1 + 1e-6))
        whole_last = math.inf  # the most a row the whole order did not reach may score
        if whole:
            rows, ended = read[len(weights)]
            whole_last = 0.0 if ended else between[1] * _score_of(rows[-1][1])
            for row_id, distance in rows:
                together[row_id] = _score_of(distance)
                known.setdefault(row_id, 0.0)
                reached.setdefault(row_id, 0)
        bound = min(sum(last), whole_last)
        may_be_best = _may_be_best(known, reached, last, wanted, together, between, whole_last)
        ranked = sorted(scores(may_be_best).items(), key=lambda row: (-row[1], -row[0]))[:wanted]
        # Every match read: every order of a part to its end, or the whole order.
        complete = all(read.get(index, ((), False))[1] for index in range(len(weights))) or bound == 0
        # The bound computed in Python and the ranks in PostgreSQL may round apart in the last place.
        if complete or (len(ranked) == wanted and ranked[-1][1] > bound / (1 + bound) + 1e-12):
            return ranked
        unread = [index for index in range(lists) if index not in read]
        if unread:  # the parts' orders, as deep as the whole one was read
            wanted_orders = unread
            continue
        if depth >= PART_DEPTH_MOST:
            return None
        depth = min(depth * 4, PART_DEPTH_MOST)
        wanted_orders = [index for index in range(lists) if not read[index][1]]


def _score_of(distance) -> float:
    """A pair's score from RUM's distance (its inverse); no score for a row with none."""
    return 1 / distance if distance and math.isfinite(distance) else 0.0


def _may_be_best(
    known: dict[int, float],
    reached: dict[int, int],
    last: list[float],
    wanted: int,
    together: dict[int, float],
    between: tuple[float, float],
    whole_last: float,
) -> list[int]:
    """The rows read whose highest possible score reaches the ``wanted``-th best lowest one (see :func:`threshold_top`).

    A row's lowest possible score is its scores in the orders that reached it; its highest adds each other
    order's last score. A row the whole order reached scores ``together`` there, and between the two weights
    of ``between`` times that: at least the lightest (else a page read from the whole order alone had no
    lowest score above 0, and every row read was scored: hundreds for a page of 20), at most the heaviest
    (``whole_last`` for a row that order did not reach).
    """
    if len(known) <= wanted:
        return list(known)
    lightest, heaviest = between
    lowest = (max(score, lightest * together.get(row_id, 0.0)) for row_id, score in known.items())
    least = sorted(lowest, reverse=True)[wanted - 1]
    # Generous by a part in a million: distances and scores round apart in their last places.
    least -= 1e-6 * (1 + least)
    unread = {
        mask: sum(score for index, score in enumerate(last) if not mask >> index & 1) for mask in set(reached.values())
    }

    def highest(row_id: int, score: float) -> float:
        return min(score + unread[reached[row_id]], heaviest * together[row_id] if row_id in together else whole_last)

    return [row_id for row_id, score in known.items() if highest(row_id, score) >= least]


#: Memory for RUM's sort of every match's distance (``with sort_memory(): nearest(...)``): at 4 MB
#: (PostgreSQL's default) the 92,000 distances of "famine" at 100,000 reports spill to disk (83-95 ms);
#: with this, 51-53 ms.
SORT_MEMORY = "64MB"


def _in_sort_memory(read, *args):
    # Each read in sort_memory's savepoint of its own: a savepoint around several would make read_ahead read
    # them in turn (its threads' connections would not see inside a transaction).
    with sort_memory():
        return read(*args)


@contextmanager
def sort_memory():
    """Statements that may sort in :data:`SORT_MEMORY`, then the session's setting again.

    Inside a savepoint: an error rolls the setting back with it (``SET LOCAL`` would outlive a
    released savepoint, to the end of a request's or a test's transaction).
    """
    with transaction.atomic(), connection.cursor() as cursor, setting(cursor, "work_mem", SORT_MEMORY):
        yield cursor


def ranked(
    search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int, where: tuple[str, list] = NO_FILTER
) -> list[tuple[int, float]]:
    """The best ``limit`` readable matches of one type as (id, score), best first (ties: newest first)."""

    ranking = _ranking(search_type, parsed, restricted)

    def fetch(batch, part=None):
        sql, params = ranked_sql(
            search_type, parsed, restricted=restricted, limit=batch, where=where, part=part, ranking=ranking
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    if ranking.parts:
        reads = ranking.orders
        rows = threshold_top(
            lambda index, depth: [(row[0], row[2]) for row in fetch(depth, reads[index])],
            lambda ids: _scores(search_type, parsed, ranking, ids),
            [part.weight for part in ranking.parts],
            limit,
            whole=bool(ranking.whole),
        )
        if rows is not None:
            return rows
    if ranking.distance is None:
        rows = fetch(limit)
    else:  # with RUM: (id, NULL, distance), nearest first, and the rows kept scored
        # Without a facet filter (each carries its values as parameters) the access rule passes most matches.
        with sort_memory():
            first = first_read(narrowed=bool(where[1]))
            rows = nearest(fetch, limit, lambda row: row[2], lambda row: row[0], first=first)
        scores = _scores(search_type, parsed, ranking, [row[0] for row in rows])
        return [(row[0], scores[row[0]]) for row in rows]
    return [(row[0], float(row[1])) for row in rows]


def ranked_apart(parsed: ParsedQuery, search_types: list[SearchType]) -> SearchType | None:
    """The type to rank in the caller's thread while the others are ranked on a reader's connection
    (:func:`hrkb.readers.read_soon`): the largest table's; None to rank them in turn.

    The reports' ranking is most of a search's time, the four other types' 10-30 ms at 100,000 reports
    ("prison camp": 118 -> 110 ms, "famine" 92 -> 82, medians of 21 runs interleaved). None where the largest
    table's own ranking reads its parts' orders at once (:func:`threshold_top`): its two readers already keep
    both cores busy, and a third made "famine torture refugees" and "kim il sung" 10-13 ms slower.
    """
    if len(search_types) < 2:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) ORDER BY reltuples DESC, relname LIMIT 1",
            [[search_type.table for search_type in search_types]],
        )
        [table] = cursor.fetchone()
    largest = next(search_type for search_type in search_types if search_type.table == table)
    return None if _parts(parsed) and has_rum(largest.table) else largest


def _ranking(search_type: SearchType, parsed: ParsedQuery, restricted: bool) -> Ranking:
    return rank_sql(search_type.table, "t", parsed, fuzzy=search_type.fuzzy, restricted=restricted)


def _scores(search_type: SearchType, parsed: ParsedQuery, ranking: Ranking, ids) -> dict[int, float]:
    """The rank of each of the rows ``ids`` (already found readable and matching)."""
    sql = f"SELECT t.id, {ranking.score} FROM {search_type.table} t WHERE t.id = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_params(parsed), "ids": list(ids)})
        return {row_id: float(score) for row_id, score in cursor.fetchall()}


def snippets(search_type: SearchType, parsed: ParsedQuery, ids: list[int]) -> dict[int, Marked]:
    """Each given row's title, its matches marked, and a highlighted passage (ts_headline is the costly part)."""
    if not ids:
        return {}
    # An empty part is left out, not joined: a passage of " … " says nothing.
    parts = [
        f"nullif(left(t.{name}, {HEADLINE_TEXT_LIMIT}), '')" if name == "text" else f"nullif(t.{name}, '')"
        for name in search_type.snippet_fields
    ]
    if search_type.fuzzy:
        parts.insert(0, "(SELECT string_agg(a.name, ', ' ORDER BY a.name) FROM actors_alias a WHERE a.actor_id = t.id)")
    # Last, the names of what the record names (who wrote a report, what it mentions): the passage that shows why
    # a report is found by "김일성" when its text says "the Great Leader".
    parts += [f"nullif({names}, '')" for names in named_by(search_type.table, "t", between="', '")]
    document = f"concat_ws(' … ', {', '.join(parts)})"
    query = _tsquery(parsed)[0]
    sql = f"""
        SELECT t.id, ts_headline('{CONFIG}', t.{search_type.title_field}, {query}, %(title_options)s),
            ts_headline('{CONFIG}', {document}, {query}, %(options)s)
        FROM {search_type.table} t WHERE t.id = ANY(%(ids)s)
    """
    params = {**_params(parsed), "options": HEADLINE_OPTIONS, "title_options": TITLE_OPTIONS}
    # ts_headline parses each text whole, a page of reports' passages a statement's work on one core: a page cut
    # from texts is found in shares at once, one here and the others on readers' connections (each row parsed
    # once). Names and descriptions are short: a thread would cost more than it saves.
    if "text" not in search_type.snippet_fields or len(ids) < SHARED_PASSAGES:
        return _passages(sql, params, list(ids))
    shares = [list(ids[index::READERS]) for index in range(READERS)]
    others = read_soon([functools.partial(_passages, sql, params, share) for share in shares[1:]])
    found = _passages(sql, params, shares[0])
    for index in range(len(shares) - 1):
        found.update(others(index))
    return found


def _passages(sql: str, params: dict, ids: list[int]) -> dict[int, Marked]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "ids": ids})
        return {row_id: Marked(title, passage) for row_id, title, passage in cursor.fetchall()}
