"""Mention linking: aliases, whole words, longest match, exact offsets, curated mentions, re-linking."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from sources.choices import MentionOrigin
from sources.linking import _FOLD, Folded, Matcher, Name, Target, _fold_mostly_ascii, fold
from sources.models import Mention
from sources.services import matcher_build, mentions_link, mentions_link_files
from tests import factories


def linked(report):
    return [(m.text, m.target) for m in Mention.objects.filter(report=report).order_by("start")]


@pytest.fixture
def kim(db):
    return factories.person("Kim Il-sung", aliases=["Kim II Sung", "김일성"])


def test_caption_misspelling_links_to_kim_il_sung(kim):
    report = factories.report(
        text="Human Rights Must be Included in Talks\n\nStatue of Kim II Sung\n\nJust over a week"
    )

    mentions_link()

    [mention] = Mention.objects.filter(report=report)
    assert (mention.text, mention.actor, mention.origin) == ("Kim II Sung", kim, MentionOrigin.LINKED)
    assert report.text[mention.start : mention.end] == "Kim II Sung"


def test_spellings_that_differ_in_case_and_punctuation_link_to_the_same_person(kim):
    report = factories.report(text="Kim Il-Sung, Kim Il Sung, KIM IL SUNG and kim il‐sung’s statue.")

    mentions_link()

    assert linked(report) == [("Kim Il-Sung", kim), ("Kim Il Sung", kim), ("KIM IL SUNG", kim), ("kim il‐sung", kim)]


def test_names_do_not_link_inside_longer_words(db):
    kim = factories.person("Kim")
    un = factories.organisation("UN", aliases=["U.N."])
    report = factories.report(text="Kimberley and Kims met UNESCO in Tunis, not Kim of the U.N.")

    mentions_link()

    assert linked(report) == [("Kim", kim), ("U.N", un)]


def test_names_in_capitals_match_only_capitals(db):
    united_states = factories.organisation("United States", aliases=["US", "U.S."])
    report = factories.report(text="Join us, said the US envoy; the U.S. and the Us of old.")

    mentions_link()

    assert linked(report) == [("US", united_states), ("U.S", united_states)]


def test_a_span_keeps_the_bracket_its_name_closes(db):
    un = factories.organisation("United Nations", aliases=["United Nations (UN)"])
    report = factories.report(text="The United Nations (UN) and the United Nations (then new).")

    mentions_link()

    assert linked(report) == [("United Nations (UN)", un), ("United Nations", un)]


def test_hangul_counts_as_letters(kim):
    report = factories.report(text="김일성은 말했다. 동상: 김일성 (1912–1994)")

    mentions_link()

    [mention] = Mention.objects.filter(report=report)
    assert (mention.text, mention.start) == ("김일성", 14)


def test_longest_match_wins(db):
    un = factories.organisation("UN", aliases=["United Nations"])
    coi = factories.organisation("UN Commission of Inquiry", aliases=["Commission of Inquiry"])
    report = factories.report(text="The UN Commission of Inquiry told the UN; the Commission of Inquiry's chair.")

    mentions_link()

    assert linked(report) == [("UN Commission of Inquiry", coi), ("UN", un), ("Commission of Inquiry", coi)]


def test_offsets_are_exact_after_non_ascii_text(kim):
    text = (
        "“Day of the Sun” — 태양절 — ﬁreworks for İstanbul’s guests…  and   Kim\u00a0Il-Sung’s birthday; "
        "then Kim II\nSung again."
    )
    report = factories.report(text=text)

    mentions_link()

    mentions = Mention.objects.filter(report=report).order_by("start")
    assert [m.text for m in mentions] == ["Kim\u00a0Il-Sung", "Kim II\nSung"]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        mention.full_clean()


def test_reports_and_events_are_linked_by_title_and_alias(db):
    coi_report = factories.report(
        "Report of the Commission of Inquiry on Human Rights in the Democratic People's Republic of Korea",
        aliases="COI report",
    )
    movies = factories.report("Movies, Markets and Mass Surveillance: Human Rights in North Korea after a Decade")
    summit = factories.event(
        "2018 North Korea–United States Singapore Summit", aliases="Singapore Summit\nTrump-Kim summit"
    )
    report = factories.report(
        text="The COI report; Movies, Markets and Mass Surveillance; the Trump–Kim summit, the singapore summit."
    )

    mentions_link()

    assert linked(report) == [
        ("COI report", coi_report),
        ("Movies, Markets and Mass Surveillance", movies),
        ("Trump–Kim summit", summit),
        ("singapore summit", summit),
    ]


def test_a_report_does_not_mention_itself(db):
    factories.report("Total Denial", text="Total Denial\n\nOur report Total Denial shows …")

    result = mentions_link()

    assert result.linked == 0
    assert not Mention.objects.exists()


def test_names_shared_by_two_records_are_not_linked(db):
    factories.person("Kim Jong-un")
    factories.person("Kim Jong-nam")
    factories.person("Kim", slug="kim-1")
    factories.person("Kim", slug="kim-2")
    report = factories.report(text="Mr Kim spoke.")

    result = mentions_link()

    assert result.ambiguous == ["kim"]
    assert not Mention.objects.filter(report=report).exists()


def test_relinking_keeps_curated_mentions_and_writes_nothing_when_unchanged(kim):
    other = factories.person("Kim Jong-un")
    report = factories.report(text="Kim II Sung and his grandson Kim Jong-Un; the Kim Il Sung statue.")
    curated = factories.mention(report, "Kim Jong-Un", actor=kim)
    assert curated.origin == MentionOrigin.CURATED
    first = mentions_link()
    linked_before = list(Mention.objects.filter(origin=MentionOrigin.LINKED).values_list("pk", flat=True))

    second = mentions_link()

    assert (first.added, second.added, second.removed, second.kept) == (2, 0, 0, 2)
    assert list(Mention.objects.filter(origin=MentionOrigin.LINKED).values_list("pk", flat=True)) == linked_before
    # The curator's reading of the span wins over the matcher's.
    assert Mention.objects.get(pk=curated.pk).actor == kim
    assert not Mention.objects.filter(actor=other).exists()


def test_relinking_after_adding_an_alias_finds_new_mentions(db):
    kirby = factories.person("Michael Kirby")
    report = factories.report(text="Justice Kirby chaired the inquiry. Michael Kirby said so.")
    mentions_link()
    assert linked(report) == [("Michael Kirby", kirby)]

    kirby.aliases.create(name="Justice Kirby")
    result = mentions_link(reports=[report.pk])

    assert (result.added, result.removed) == (1, 0)
    assert linked(report) == [("Justice Kirby", kirby), ("Michael Kirby", kirby)]

    kirby.aliases.all().delete()
    kirby.name = "Michael Donald Kirby"
    kirby.save()
    result = mentions_link()
    assert (result.added, result.removed) == (0, 2)


def test_batches_linked_while_the_batch_before_is_written_give_what_one_batch_gives(kim):
    """sources.services finds a batch's names on a thread while the batch before is written: in batches of two,
    with a stale mention to remove and a curated one to respect, the same mentions and counts as all at once;
    per file, each file's own counts."""
    texts = ["Kim Il-sung.", "No one.", "Kim II Sung and 김일성.", "Kim Il-sung, twice: Kim Il-sung.", "김일성."]
    reports = [factories.report(slug=f"batch-{number}", text=text) for number, text in enumerate(texts)]
    Mention.objects.create(report=reports[1], start=0, end=2, text="No", actor=kim, origin=MentionOrigin.LINKED)
    factories.mention(reports[4], "김일성", actor=kim)  # curated
    progress = []
    with transaction.atomic():
        in_batches = mentions_link(batch_size=2, progress=progress.append)
        found = {report.pk: linked(report) for report in reports}
        transaction.set_rollback(True)
    whole = mentions_link()

    assert progress == [2, 4, 5]
    assert {report.pk: linked(report) for report in reports} == found
    assert (in_batches.added, in_batches.removed, in_batches.kept, in_batches.reports) == (5, 1, 0, 5)
    assert (whole.added, whole.removed, whole.kept, whole.reports) == (5, 1, 0, 5)
    again = mentions_link_files(
        [[reports[0].pk, reports[1].pk], [], [report.pk for report in reports[2:]]], matcher=matcher_build()
    )
    assert [(result.kept, result.added, result.reports) for result in again] == [(1, 0, 2), (0, 0, 0), (4, 0, 3)]


def test_link_mentions_command_limits_to_the_reports_named(kim):
    one = factories.report(slug="one", text="Kim Il-sung.")
    two = factories.report(slug="two", text="Kim Il-sung.")
    out = StringIO()

    call_command("link_mentions", "--report", "one", stdout=out, stderr=StringIO())

    assert "1 reports: 1 mentions linked (1 added, 0 removed)" in out.getvalue()
    assert linked(one) == [("Kim Il-sung", kim)]
    assert linked(two) == []


def test_matcher_folds_case_punctuation_and_width():
    assert fold("  Kim  Il-Sung’s ") == "kim il sung s"
    assert fold("ＫＩＭ") == "kim"
    matcher = Matcher.build([Name("Kim Il-sung", Target("actor", 1)), Name("x", Target("actor", 2))])
    assert matcher.names == 1
    assert [match.text for match in matcher.find("(KIM-IL-SUNG)")] == ["KIM-IL-SUNG"]


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII, with (brackets) and\ttabs.",
        "“Quoted” – dashed — Kim Il-Sung’s statue, in a long enough English sentence.",
        "Ｆｕｌｌ width and ﬁ ligature and İstanbul",
        "한국어 텍스트 김일성 and English",
        "",
    ],
)
def test_folding_maps_every_character_back_to_the_original(text):
    fast = _fold_mostly_ascii(text)
    assert fast is None or fast == text.translate(_FOLD)
    folded = Folded(text)
    assert " ".join(folded.text.split()) == fold(text)
    assert "  " not in folded.text.strip()
    for index, char in enumerate(folded.text[1:-1], 1):
        if char != " ":
            assert char in _FOLD[ord(text[folded.original(index)])]


def test_english_text_takes_the_fast_path():
    assert (
        _fold_mostly_ascii("“Kim Il-Sung’s” statue stands in the capital, Pyongyang.")
        == " kim il sung s  statue stands in the capital  pyongyang "
    )
