"""search_all: the ranked hits of /api/v1/search/, on the corpus, under the access rules."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrkb.search import search_all
from tests import factories

from .conftest import DAY_OF_THE_SUN, SECRET, SUMMIT


def _keys(hits):
    return [(hit.type, hit.slug) for hit in hits]


def test_songbun_ranks_the_day_of_the_sun_article_first(search_corpus):
    hits = search_all("songbun")
    assert hits[0].type == "report"
    assert hits[0].title == DAY_OF_THE_SUN
    assert "<mark>" in hits[0].snippet.lower()
    assert "songbun" in hits[0].snippet.lower()


def test_sakharov_finds_the_article_that_quotes_him(search_corpus):
    keys = _keys(search_all("Sakharov", limit=50))
    quote = search_corpus["sakharov_quote"]
    assert ("report", quote.source.slug) in keys
    assert quote.source.title == SUMMIT
    assert ("quote", quote.slug) in keys
    assert ("person", search_corpus["sakharov"].slug) in keys


def test_a_misspelt_name_finds_the_person(search_corpus):
    hits = search_all("Darusmann", types=["person"])
    assert hits
    assert hits[0].slug == search_corpus["darusman"].slug


def test_another_romanisation_finds_the_person(search_corpus):
    hits = search_all("Kim Jong Un", types=["person"])
    assert hits[0].slug == search_corpus["kim"].slug


def test_an_unaccented_query_finds_an_accented_name(db):
    person = factories.person("Dolkun Isa", aliases=["Dölkun İsa"], description="")
    factories.report("On Dölkün", text="The Uyghur leader Dölkün spoke.")
    assert ("person", person.slug) in _keys(search_all("Dolkun"))
    assert any(hit.type == "report" for hit in search_all("dolkun"))


def test_phrase_needs_the_words_together(db):
    together = factories.report("Together", text="The prison camp system.")
    apart = factories.report("Apart", text="A camp near the prison.")
    keys = _keys(search_all('"prison camp"', types=["report"]))
    assert ("report", together.slug) in keys
    assert ("report", apart.slug) not in keys


def test_or_accepts_either_and_minus_excludes(db):
    famine = factories.report("Famine", text="The famine of the 1990s.")
    camps = factories.report("Camps", text="The prison camps and the famine.")
    other = factories.report("Other", text="Nothing relevant.")
    either = _keys(search_all("famine OR camps", types=["report"]))
    assert {("report", famine.slug), ("report", camps.slug)} <= set(either)
    assert ("report", other.slug) not in either
    assert _keys(search_all("famine -camps", types=["report"])) == [("report", famine.slug)]


def test_an_exclusion_applies_to_the_whole_query(db):
    famine = factories.report("Famine", text="famine")
    camps = factories.report("Camps", text="camps")
    factories.report("Famine in Singapore", text="famine")
    factories.report("Camps in Singapore", text="camps")
    found = {hit.slug for hit in search_all("famine OR camps -singapore", types=["report"])}
    assert found == {famine.slug, camps.slug}


def test_title_outranks_body(db):
    in_body = factories.report("A report", text="Passing mention of songbun.")
    in_title = factories.report("Songbun explained", text="The caste system.")
    assert _keys(search_all("songbun"))[:2] == [("report", in_title.slug), ("report", in_body.slug)]


def test_hits_carry_type_summary_url_and_snippet(search_corpus):
    hit = search_all("songbun")[0]
    report = search_corpus["day_of_the_sun"]
    assert (hit.type, hit.slug, hit.title) == ("report", report.slug, report.title)
    assert hit.summary and report.summary.startswith(hit.summary.rstrip("…"))
    assert hit.url == report.get_absolute_url()
    assert 0 < hit.score <= 1
    assert hit.snippet


def test_snippets_escape_html_except_the_marks(db):
    # PostgreSQL's parser drops well-formed tags from documents, so the source has stray brackets.
    factories.report("Markup", text="Songbun & caste: rank < loyalty > family")
    snippet = search_all("songbun")[0].snippet
    assert "&amp;" in snippet
    assert "&lt;" in snippet or "&gt;" in snippet
    assert "<mark>" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_drafts_and_restricted_records_are_never_found(search_corpus):
    assert search_all(SECRET) == []
    # Not even as a lower-ranked hit of a word they share with published records.
    hidden = {search_corpus["draft"].slug, search_corpus["restricted"].slug}
    assert not hidden & {hit.slug for hit in search_all("songbun", limit=100)}
    assert all(SECRET not in hit.snippet.lower() for hit in search_all("songbun", limit=100))


def test_a_cleared_client_finds_restricted_records_but_never_drafts(search_corpus):
    found = {hit.slug for hit in search_all(SECRET, restricted=True, limit=100)}
    assert search_corpus["restricted"].slug in found
    assert search_corpus["witness"].slug in found
    assert search_corpus["witness_quote"].slug in found
    assert search_corpus["draft"].slug not in found


def test_a_quote_by_a_restricted_speaker_is_hidden(db):
    witness = factories.person("Hidden Witness", restricted=True)
    factories.quote(witness, text="The guards came at night.")
    assert search_all("guards") == []
    assert [hit.type for hit in search_all("guards", restricted=True)] == ["quote"]


def test_type_narrows_the_hits(search_corpus):
    assert {hit.type for hit in search_all("North Korea", types=["person"], limit=50)} == {"person"}


def test_paging_is_a_stable_slice(db):
    for number in range(7):
        factories.report(f"Famine report {number}", text="famine " * (number + 1))
    everything = _keys(search_all("famine", limit=7))
    assert _keys(search_all("famine", limit=3)) + _keys(search_all("famine", limit=4, offset=3)) == everything


def test_bad_syntax_is_an_empty_result_never_an_error(search_corpus):
    assert search_all('"songbun') and search_all('"songbun')[0].title == DAY_OF_THE_SUN
    for query in ["", "!!!", '"', "-songbun", "OR", "NEAR(", "*", "title:x", "^songbun"]:
        assert isinstance(search_all(query), list), query


def test_a_page_of_hits_costs_the_same_statements_at_any_length_and_reads_no_report_text(db):
    """A hit shows its title, summary and passage: the report's whole text is parsed for the passage in the
    database, never sent (a long report's text is most of a page's bytes), and no hit costs a statement of its
    own (on PostgreSQL a long page's passages are found in two shares)."""
    for number in range(25):
        factories.report(f"Famine report {number}", summary=f"Famine, the {number}th.", text="Famine. " * 50)

    def statements(limit: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            hits = search_all("famine", types=["report"], limit=limit)
        assert len(hits) == limit and all(hit.summary.startswith("Famine, the") for hit in hits)
        return [query["sql"] for query in captured.captured_queries]

    statements(1)  # what a process learns once (the RUM index, the query's lexemes)
    short, long = statements(2), statements(20)
    assert len(short) <= len(long) <= len(short) + 1
    assert not [sql for sql in long if '"reports_report"."text"' in sql and "ts_headline" not in sql]
