"""JSON written by orjson, byte for byte what DRF's JSONRenderer writes, for the curated resources.

Encoding a page of 50 reports takes DRF's renderer (the standard library's
encoder) about 0.7 ms and orjson about 0.15 ms: 5 % of a list request. For
strings, integers, booleans, null, lists and dicts the bytes are the same
(``tests/api/test_renderers.py`` compares both on every list page and record
of the corpus, on error bodies and on awkward strings), so ETags and the
contract do not change. Those are all a curated resource's JSON holds:
:mod:`hrkb.api.loading` builds no float. Floats are where the two differ
(orjson writes ``0.00001`` where the standard library writes ``1e-05``, and
null for NaN, which DRF refuses), so this renderer is for
:class:`~hrkb.api.views.CuratedViewSet` only, not the project's default.
Indented output (``Accept: application/json; indent=4``), values DRF's
encoder would turn into floats (a Decimal) and anything orjson refuses
(integer keys, integers beyond 64 bits) go through DRF's renderer.
"""

from __future__ import annotations

import re

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

# DRF escapes these two so that the output is also valid JavaScript; orjson leaves them as they are.
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
_SEPARATORS = re.compile(b"|".join(map(re.escape, (_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR))))


class _NotTheSame(Exception):
    """A value orjson would not write as DRF does."""


def _default(value):
    """What orjson cannot write itself (dates, lazy strings...), converted as DRF's encoder converts it."""
    converted = JSONEncoder().default(value)
    if isinstance(converted, float):  # a Decimal, say: orjson would write its digits differently
        raise _NotTheSame
    return converted


def dumps(data) -> bytes:
    """``data`` as the resources' JSON: what DRF's compact JSONRenderer writes, byte for byte."""
    return escape_separators(dumps_unescaped(data))


def dumps_unescaped(data, *, newline: bool = False) -> bytes:
    """:func:`dumps` but for U+2028 and U+2029, which :func:`escape_separators` escapes.

    The NDJSON export writes each record with this and escapes a batch of lines
    at once (one pass over the bytes instead of two per line), so each line is
    the record's detail body.
    """
    try:
        # The newline written by orjson: appending it after would copy the line once more.
        option = orjson.OPT_PASSTHROUGH_DATETIME | (orjson.OPT_APPEND_NEWLINE if newline else 0)
        return orjson.dumps(data, default=_default, option=option)
    except (_NotTheSame, orjson.JSONEncodeError):
        # Already escaped: escaping again changes nothing.
        written = renderers.JSONRenderer().render(data)
        return written + b"\n" if newline else written


def escape_separators(content: bytes) -> bytes:
    # One scan for both, which rarely finds either: half the time of two replace() calls on an export's batch.
    if _SEPARATORS.search(content) is None:
        return content
    return content.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSONRenderer, encoding with orjson where the bytes are the same (see the module's docstring)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        return dumps(data)
