"""Finding where a text names a known actor, report or event.

One Aho–Corasick automaton (pyahocorasick) holds every name: actors' names and
aliases, report titles and alternative titles, event titles and alternative
titles. It scans a text once whatever the number of names, so linking stays
fast with tens of thousands of aliases.

Matching is on a *folded* form of both names and texts: Unicode NFKC,
case-folded, every punctuation mark, symbol, control character and space
turned into a space, and runs of spaces collapsed. So "Kim Il-Sung",
"Kim Il Sung", "kim il sung" and "KIM IL-SUNG’s" all fold to contain
``kim il sung``. Folded names are stored with a space on each side and the
folded text is padded likewise, so a name only matches whole words: letters,
marks and digits of any script (Hangul included) are word characters, and
"Kim" never matches inside "Kimberley". The folder keeps a map back to the
original text, so every match's offsets are exact: ``text[start:end]`` is the
span as written, from the first letter of the name to its last.

Rules when names compete:

- The longest match wins; shorter matches that overlap a chosen one are
  dropped ("UN Commission of Inquiry", not "UN").
- A folded name that belongs to more than one record is ambiguous: it is not
  linked, but it still covers its span so that a shorter name inside it is
  not linked either. Curators resolve it by adding a more specific alias.
- A report's title before a colon is used as a derived name when it has at
  least three words ("Movies, Markets and Mass Surveillance"); derived names
  give way to explicit names and aliases of other records instead of being
  ambiguous with them. Short titles ("Total Denial") belong in Report.aliases.
- A name written in capitals ("UN", "US", "COI") only matches text in
  capitals, so the pronoun "us" is not the United States. (If another name
  of the same folded form is not in capitals, case is ignored as usual.)
- A span that opens a bracket takes in the closing one ("United Nations (UN)").
- Names that fold to fewer than two characters are ignored.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

MIN_NAME_LENGTH = 2
MIN_PREFIX_WORDS = 3
_SEPARATOR_CATEGORIES = frozenset("PSZC")
_BRACKETS = ("()", "[]")


class Target(NamedTuple):
    """A record a name can point at: ``kind`` is "actor", "report" or "event"."""

    kind: str
    pk: int


class Match(NamedTuple):
    """A name found in a text: exact character offsets into the original text."""

    start: int
    end: int
    text: str
    target: Target


class _FoldTable(dict):
    """``str.translate`` table computed lazily, one character at a time, then cached."""

    def __missing__(self, codepoint: int) -> str:
        folded = "".join(
            " " if unicodedata.category(char)[0] in _SEPARATOR_CATEGORIES else char
            for char in unicodedata.normalize("NFKC", chr(codepoint)).casefold()
        )
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


class Folded:
    """A text in folded form, padded with a space at each end, with the map back to the original."""

    __slots__ = ("_char_origins", "_segment_origins", "_segment_starts", "text")

    def __init__(self, original: str):
        translated = _fold_mostly_ascii(original)
        self._char_origins = None
        if translated is None:
            translated = original.translate(_FOLD)
            # Most characters fold to exactly one character; only then is the map the identity.
            if len(translated) != len(original):
                self._char_origins = [index for index, char in enumerate(original) for _ in _FOLD[ord(char)]]
        # Collapse runs of spaces, remembering where each kept stretch starts in `translated`.
        parts, starts, origins = [" "], [], []
        position, folded_length = 0, 1
        for run_start in _space_runs(translated):
            starts.append(folded_length)
            origins.append(position)
            parts.append(translated[position : run_start + 1])
            folded_length += run_start + 1 - position
            position = run_start + 1
            while position < len(translated) and translated[position] == " ":
                position += 1
        starts.append(folded_length)
        origins.append(position)
        parts.append(translated[position:])
        parts.append(" ")
        self.text = "".join(parts)
        self._segment_starts = starts
        self._segment_origins = origins

    def original(self, index: int) -> int:
        """The index in the original text of the folded character at ``index`` (not a padding space)."""
        segment = bisect.bisect_right(self._segment_starts, index) - 1
        translated = self._segment_origins[segment] + index - self._segment_starts[segment]
        return translated if self._char_origins is None else self._char_origins[translated]


_ASCII_FOLD = bytes(ord(_FOLD[code]) for code in range(128)) + b" " * 128
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_mostly_ascii(text: str) -> str | None:
    """``text.translate(_FOLD)``, several times faster for English text, or None where it does not apply.

    ``str.translate`` looks every character up in a dictionary; here the ASCII
    characters go through a byte table instead, and only the few others (curly
    quotes, dashes) are looked up. None if they are many, or one folds to
    several characters.
    """
    folded = text.encode("ascii", "replace").translate(_ASCII_FOLD).decode("ascii")
    positions = [match.start() for match in _NON_ASCII.finditer(text)]
    if not positions:
        return folded
    if len(positions) * 8 > len(text):
        return None
    parts, last = [], 0
    for position in positions:
        character = _FOLD[ord(text[position])]
        if len(character) != 1:
            return None
        parts += (folded[last:position], character)
        last = position + 1
    parts.append(folded[last:])
    return "".join(parts)


def _space_runs(text: str):
    """Start of every run of two or more spaces."""
    position = text.find("  ")
    while position >= 0:
        yield position
        end = position + 2
        while end < len(text) and text[end] == " ":
            end += 1
        position = text.find("  ", end)


def fold(name: str) -> str:
    """The folded form of a name, without padding: what matching compares."""
    return " ".join(name.translate(_FOLD).split())


_AMBIGUOUS = None


@dataclass(frozen=True, slots=True)
class Name:
    """A name to look for, the record it points at, and whether it is derived (a title's prefix)."""

    text: str
    target: Target
    derived: bool = False


def _in_capitals(name: str) -> bool:
    """True for names written in capitals, such as "UN" or "U.S.": they match only text in capitals."""
    return name.upper() == name and name.lower() != name


def _close_brackets(text: str, start: int, end: int) -> int:
    """Extend a span over the brackets its name opened: "United Nations (UN)", not "United Nations (UN"."""
    for opening, closing in _BRACKETS:
        while (
            end < len(text)
            and text[end] == closing
            and text.count(opening, start, end) > text.count(closing, start, end)
        ):
            end += 1
    return end


class Matcher:
    """Finds every known name in a text. Build it once with :meth:`build`, then call :meth:`find` per text."""

    def __init__(self, automaton: ahocorasick.Automaton, names: int, ambiguous: list[str]):
        self._automaton = automaton
        self.names = names
        self.ambiguous = ambiguous

    @classmethod
    def build(cls, names: Iterable[Name]) -> Matcher:
        explicit: dict[str, set[Target]] = {}
        derived: dict[str, set[Target]] = {}
        # Folded forms whose every name is written in capitals ("UN", "US", "COI").
        capitals: dict[str, bool] = {}
        for name in names:
            folded = fold(name.text)
            if len(folded) >= MIN_NAME_LENGTH:
                (derived if name.derived else explicit).setdefault(folded, set()).add(name.target)
                capitals[folded] = capitals.get(folded, True) and _in_capitals(name.text)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        ambiguous = []
        for folded in explicit.keys() | derived.keys():
            targets = explicit.get(folded) or derived[folded]
            target = next(iter(targets)) if len(targets) == 1 else _AMBIGUOUS
            if target is _AMBIGUOUS:
                ambiguous.append(folded)
            key = f" {folded} "
            automaton.add_word(key, (len(key), target, capitals[folded]))
        if len(automaton):
            automaton.make_automaton()
        return cls(automaton, len(automaton), sorted(ambiguous))

    def find(self, text: str, *, exclude: Target | None = None) -> list[Match]:
        """Every name in ``text``, longest first among overlaps, in text order.

        ``exclude`` is a record not to link (a report's own title in its own
        text); its names do not cover their span either.
        """
        if not self.names or not text:
            return []
        folded = Folded(text)
        candidates = []
        for last, (length, target, capitals) in self._automaton.iter(folded.text):
            if target is not _AMBIGUOUS and target == exclude:
                continue
            # The key includes a space on each side; the name is between them.
            start, end = last - length + 2, last
            if capitals and not _in_capitals(text[folded.original(start) : folded.original(end - 1) + 1]):
                continue
            candidates.append((start, end, target))
        if not candidates:
            return []
        candidates.sort(key=lambda candidate: (candidate[0] - candidate[1], candidate[0]))
        covered = bytearray(len(folded.text))
        chosen = []
        for start, end, target in candidates:
            if covered.find(1, start, end) >= 0:
                continue
            covered[start:end] = b"\x01" * (end - start)
            if target is not _AMBIGUOUS:
                original_start, original_end = folded.original(start), folded.original(end - 1) + 1
                original_end = _close_brackets(text, original_start, original_end)
                chosen.append(Match(original_start, original_end, text[original_start:original_end], target))
        chosen.sort()
        return chosen
