"""Who may read what: the one place the API decides a client's clearance."""

from __future__ import annotations

from hrkb.models import Status, readable_q

__all__ = ["is_cleared", "is_readable", "readable_q"]


def is_cleared(request) -> bool:
    """Whether the client may read restricted records: only partner keys cleared for them.

    Drafts are never readable through the API, whatever the key.
    """
    return bool(getattr(getattr(request, "auth", None), "can_read_restricted", False))


def is_readable(record, *, restricted: bool) -> bool:
    """The access rule in Python, for records already loaded (a second line of defence)."""
    return record.status == Status.PUBLISHED and (restricted or not record.restricted)
