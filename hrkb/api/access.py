"""Who may read what: the one place the API decides a client's clearance."""

from __future__ import annotations

from django.db.models import Q

from hrkb.models import Status


def is_cleared(request) -> bool:
    """Whether the client may read restricted records: only partner keys cleared for them.

    Drafts are never readable through the API, whatever the key.
    """
    return bool(getattr(getattr(request, "auth", None), "can_read_restricted", False))


def readable_q(prefix: str = "", *, restricted: bool) -> Q:
    """The access rule as a Q on the curated record at ``prefix`` (e.g. ``"source__"``)."""
    condition = Q(**{f"{prefix}status": Status.PUBLISHED})
    return condition if restricted else condition & Q(**{f"{prefix}restricted": False})


def is_readable(record, *, restricted: bool) -> bool:
    """The access rule in Python, for records already loaded (a second line of defence)."""
    return record.status == Status.PUBLISHED and (restricted or not record.restricted)
