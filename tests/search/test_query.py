"""Web-search syntax: parsed the same way for both databases, never an error."""

import pytest

from hrkb.search.query import MAX_QUERY_LENGTH, SearchQueryError, clean, parse


def test_words_are_all_required_and_quoted_for_the_database():
    assert parse("songbun Kim").to_fts5() == '"songbun" AND "Kim"'


def test_phrase_or_and_exclusion():
    parsed = parse('"day of the sun" OR songbun -kim -"prison camp"')
    assert parsed.to_fts5() == '("day of the sun" OR "songbun") NOT "kim" NOT "prison camp"'


def test_unbalanced_quote_runs_to_the_end():
    assert parse('"prison camp').to_fts5() == '"prison camp"'


@pytest.mark.parametrize("raw", ["", "   ", "!!! ???", '""', "OR", "- -"])
def test_nothing_searchable_is_an_empty_query(raw):
    assert not parse(raw)


def test_only_exclusions_search_nothing():
    parsed = parse("-kim")
    assert not parsed
    assert parsed.excluded


def test_stray_operators_are_ignored():
    assert parse("OR songbun OR").to_fts5() == '"songbun"'


def test_fts5_syntax_characters_are_only_words():
    # FTS5 would read these as syntax (column filters, NEAR, prefix, grouping) if passed through.
    parsed = parse("title:kim NEAR(a b) song* (x")
    assert parsed.to_fts5() == '"title:kim" AND "NEAR(a" AND "b)" AND "song*" AND "(x"'


def test_clean_caps_length():
    assert clean("  songbun  ") == "songbun"
    assert clean("x" * MAX_QUERY_LENGTH)
    with pytest.raises(SearchQueryError, match=str(MAX_QUERY_LENGTH)):
        clean("x" * (MAX_QUERY_LENGTH + 1))
