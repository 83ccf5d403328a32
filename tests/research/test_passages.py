"""Cutting a text at every mark, and passages in context: offsets in code points, overlaps stacked."""

import re

from hrkb.research.passages import Mark, render, segments


def mark(anchor, start, end, layer="mention", kind="person"):
    return Mark(anchor, layer, kind, start, end, anchor)


def test_segments_cut_at_every_boundary_and_list_the_marks_covering_each():
    text = "Kirby chaired the Commission of Inquiry."
    marks = [mark("m-1", 0, 5), mark("c-membership-1", 0, 39, "citation", "membership"), mark("m-2", 18, 39)]
    cut = [(s.start, s.end, sorted(m.anchor for m in s.marks)) for s in segments(text, marks)]
    assert cut == [
        (0, 5, ["c-membership-1", "m-1"]),
        (5, 18, ["c-membership-1"]),
        (18, 39, ["c-membership-1", "m-2"]),
        (39, 40, []),
    ]


def test_rendered_text_is_exactly_the_stored_text_with_offsets_in_code_points():
    # An emoji is one code point but two UTF-16 units: offsets after it must not drift.
    text = "Witness 🙂 named 김일성 twice:\r\n김일성."
    first = text.index("김일성")
    marks = [mark("m-1", first, first + 3), mark("m-2", text.rindex("김일성"), text.rindex("김일성") + 3)]
    html = render(text, marks)
    assert re.sub(r"<[^>]+>", "", str(html)).replace("&#x27;", "'") == text
    assert f'data-start="{first}"' in html
    assert '<span class="anchor" id="m-1"></span>' in html


def test_overlapping_marks_stack_their_classes():
    text = "Michael Kirby"
    html = str(render(text, [mark("m-1", 0, 13), mark("c-quote-4", 8, 13, "citation", "quote")]))
    assert "citation-quote" in html and "mention-person" in html and "overlap" in html


def test_marks_outside_the_text_are_dropped():
    assert [s.marks for s in segments("short", [mark("m-1", 3, 99)])] == [[]]
