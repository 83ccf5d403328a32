"""Ranked full-text search over reports, people, organisations, events and quotes.

Entry points: :func:`search_queryset` (the ``search`` parameter of every list
endpoint and the admin's search box) and :func:`search_all` (/api/v1/search/).
The stored documents and their triggers are described in :mod:`hrkb.search.schema`.
"""

from .engine import Hit, search_all, search_queryset
from .query import MAX_QUERY_LENGTH, SearchQueryError

__all__ = ["MAX_QUERY_LENGTH", "Hit", "SearchQueryError", "search_all", "search_queryset"]
