"""A client's clearance: the one place the API decides it (the rule itself is :mod:`hrkb.access`)."""

from __future__ import annotations


def is_cleared(request) -> bool:
    """Whether the client may read restricted records: only partner keys cleared for them.

    Drafts are never readable through the API, whatever the key.
    """
    return bool(getattr(getattr(request, "auth", None), "can_read_restricted", False))
