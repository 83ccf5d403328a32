"""Finding a passage again in a text that changed: where citations and mentions point after an edit.

Citations and mentions point into a report's text by character offsets. When
the text changes (a corrected article is ingested again, or two reports are
merged and the survivor's text is kept), each span is carried over:

1. through the edit itself: the two texts are compared line by line
   (``difflib``), and a span lying wholly in lines the edit did not touch
   moves by however much the text before it grew or shrank;
2. else, where the passage still occurs verbatim: among its occurrences,
   the one whose surrounding words best match the old spot's, the nearest to
   where the old spot now lies breaking ties;
3. else nowhere: :func:`reanchor` answers None, and the caller refuses (it
   never guesses).

The result is always checked: a span returned here holds exactly the passage.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass

CONTEXT = 80  # characters of context compared on each side of a passage


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class TextChange:
    """An edit from ``old`` to ``new``, compared once and then asked about any number of spans."""

    def __init__(self, old: str, new: str):
        self.old = old
        self.new = new
        old_lines = old.splitlines(keepends=True)
        new_lines = new.splitlines(keepends=True)
        old_at = _offsets(old_lines)
        new_at = _offsets(new_lines)
        # Unchanged stretches: (old start, old end, new start), in order.
        self.kept: list[tuple[int, int, int]] = []
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            if tag == "equal":
                self.kept.append((old_at[i1], old_at[i2], new_at[j1]))
        self._starts = [start for start, _end, _new in self.kept]

    def mapped(self, position: int) -> int:
        """Where ``position`` of the old text lies in the new one (approximately, inside a changed stretch)."""
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return min(position, len(self.new))
        start, end, new_start = self.kept[index]
        return min(new_start + min(position, end) - start, len(self.new))

    def reanchor(self, start: int, end: int, passage: str) -> Span | None:
        """Where the passage at ``start``–``end`` of the old text is in the new one, or None."""
        if self.old == self.new:
            return Span(start, end) if self.new[start:end] == passage else None
        index = bisect.bisect_right(self._starts, start) - 1
        if index >= 0:
            kept_start, kept_end, new_start = self.kept[index]
            if end <= kept_end:
                moved = Span(new_start + start - kept_start, new_start + end - kept_start)
                if self.new[moved.start : moved.end] == passage:
                    return moved
        return find_near(
            self.new,
            passage,
            near=self.mapped(start),
            before=self.old[max(0, start - CONTEXT) : start],
            after=self.old[end : end + CONTEXT],
        )


def _offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def _common_suffix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def find_near(text: str, passage: str, *, near: int, before: str = "", after: str = "") -> Span | None:
    """The occurrence of ``passage`` in ``text`` whose context best matches ``before``/``after``, or None."""
    if not passage:
        return None
    best, best_key = None, None
    at = text.find(passage)
    while at >= 0:
        end = at + len(passage)
        context = _common_suffix(text[max(0, at - len(before)) : at], before) + _common_prefix(
            text[end : end + len(after)], after
        )
        key = (-context, abs(at - near))
        if best_key is None or key < best_key:
            best, best_key = Span(at, end), key
        at = text.find(passage, at + 1)
    return best


def reanchor(old: str, new: str, start: int, end: int, passage: str) -> Span | None:
    """One span carried from ``old`` to ``new`` (see :class:`TextChange` to carry many)."""
    return TextChange(old, new).reanchor(start, end, passage)
