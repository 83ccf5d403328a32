"""Likely duplicates: people or organisations that go by the same name, told apart by nothing but their rows.

Two ways to find them, for two places:

- :func:`likely_duplicates` answers for one name (the person being added, a
  dossier): actors of the same kind whose name or alias is the name itself,
  any of its aliases, or the same words spelt alike (case, accents, hyphens
  and spaces aside: "Kim Jong-un", "Kim Jong Un", "KIM JONG UN"), then what
  the search engine finds for it by fuzzy name (one misspelt or differently
  romanised word: "Darusmann"). Indexed queries only, so it can run as a
  curator types.
- :func:`duplicate_groups` lists, for the whole table, the actors that share
  a name or alias spelt alike: the "likely duplicates" page, each group with a
  link to merge it.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from .models import Actor, Alias

FUZZY_LIMIT = 5


def name_key(name: str) -> str:
    """A name as spelt, with case, accents and everything but letters and digits set aside."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if char.isalnum())


@dataclass(frozen=True)
class Candidate:
    actor: Actor
    reason: str  # "same name", "alias", "similar name"


def likely_duplicates(
    *, name: str, kind: str, aliases: tuple[str, ...] = (), exclude: int | None = None, fuzzy: bool = True
) -> list[Candidate]:
    """Actors of ``kind`` that may be the one called ``name`` (or any of ``aliases``), closest first."""
    names = {n.strip() for n in (name, *aliases) if n and n.strip()}
    if not names:
        return []
    others = Actor.objects.filter(kind=kind).exclude(pk=exclude) if exclude else Actor.objects.filter(kind=kind)
    condition = Q()
    for each in names:
        condition |= Q(name__iexact=each) | Q(aliases__name__iexact=each)
    found: dict[int, Candidate] = {}
    for actor in others.filter(condition).distinct().order_by("name")[:20]:
        same = actor.name.casefold() in {n.casefold() for n in names}
        found[actor.pk] = Candidate(actor, "same name" if same else "alias")
    keys = {name_key(n) for n in names} - {""}
    # Spelt alike: stored names whose letters match (one query on the name's first word, then compared here).
    words = {n.split()[0] for n in names if n.split()}
    if keys and words:
        prefix = Q()
        for word in words:
            prefix |= Q(name__istartswith=word[:3]) | Q(aliases__name__istartswith=word[:3])
        for actor in others.filter(prefix).exclude(pk__in=found).distinct().prefetch_related("aliases")[:500]:
            if keys & {name_key(n) for n in actor.names}:
                found[actor.pk] = Candidate(actor, "same name, spelt differently")
    if fuzzy:
        from hrkb.search.engine import search_queryset
        from hrkb.search.query import SearchQueryError

        try:
            matches = list(search_queryset(others.exclude(pk__in=found), name)[:FUZZY_LIMIT])
        except SearchQueryError:
            matches = []
        for actor in matches:
            found.setdefault(actor.pk, Candidate(actor, "similar name"))
    return list(found.values())


def duplicate_groups(*, kind: str | None = None) -> list[list[Actor]]:
    """Every set of two or more actors of one kind sharing a name or alias spelt alike, largest first."""
    owners: dict[tuple[str, str], set[int]] = defaultdict(set)
    actors = Actor.objects.all() if kind is None else Actor.objects.filter(kind=kind)
    kinds = dict(actors.values_list("pk", "kind"))
    for pk, name in actors.values_list("pk", "name").iterator():
        owners[(kinds[pk], name_key(name))].add(pk)
    for pk, name in Alias.objects.filter(actor__in=actors).values_list("actor_id", "name").iterator():
        owners[(kinds[pk], name_key(name))].add(pk)
    # Two names can link three actors (A shares one with B, B another with C): one group.
    group_of: dict[int, set[int]] = {}
    for (_kind, key), pks in owners.items():
        if not key or len(pks) < 2:
            continue
        merged = set(pks)
        for pk in pks:
            merged |= group_of.get(pk, set())
        for pk in merged:
            group_of[pk] = merged
    groups = {frozenset(group) for group in group_of.values()}
    by_pk = Actor.objects.prefetch_related("aliases").in_bulk({pk for group in groups for pk in group})
    ordered = [sorted((by_pk[pk] for pk in group), key=lambda actor: (actor.name, actor.pk)) for group in groups]
    return sorted(ordered, key=lambda group: (-len(group), group[0].name))
