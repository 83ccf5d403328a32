"""Writes that touch several records of the actors app (and those that point at actors)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hrkb.models import SlugRedirect

from .choices import AliasKind
from .models import Actor, Alias


@transaction.atomic
def actor_merge(*, survivor: Actor, duplicate: Actor) -> Actor:
    """Fold ``duplicate`` into ``survivor`` and delete it.

    Every record that pointed at the duplicate (memberships, authorships,
    participations, mentions, quotes, publishers, child organisations, aliases)
    now points at the survivor; the duplicate's name becomes an alias; its slug
    redirects to the survivor so no partner's link breaks. Relations are found
    through Django's model graph, so apps that point at actors need no hook here.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError("An actor cannot be merged into itself.")
    if survivor.kind != duplicate.kind:
        raise ValidationError(
            f"Cannot merge {duplicate.get_kind_display()} {duplicate.slug!r} into "
            f"{survivor.get_kind_display()} {survivor.slug!r}: both must be of the same kind."
        )
    for relation in Actor._meta.related_objects:
        if relation.many_to_many:
            _repoint_many_to_many(relation, survivor, duplicate)
        elif relation.one_to_many:
            _repoint_rows(relation.related_model, relation.field.name, survivor, duplicate)
    if duplicate.name != survivor.name:
        Alias.objects.get_or_create(actor=survivor, name=duplicate.name, defaults={"kind": AliasKind.SPELLING})
    old_slug = duplicate.slug
    Actor.objects.filter(pk=duplicate.pk).delete()
    SlugRedirect.objects.record(survivor, old_slug)
    survivor.save()  # bumps `modified`, so syncing partners see the change
    return survivor


def _repoint_rows(model, field_name: str, survivor: Actor, duplicate: Actor) -> None:
    for row in model._base_manager.filter(**{field_name: duplicate}):
        setattr(row, field_name, survivor)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # The survivor already has this row (same alias, same role...): the copy goes.
            row.delete()


def _repoint_many_to_many(relation, survivor: Actor, duplicate: Actor) -> None:
    through = relation.through
    field_name = relation.field.m2m_reverse_field_name()
    owner_name = relation.field.m2m_field_name()
    kept = set(through.objects.filter(**{field_name: survivor}).values_list(f"{owner_name}_id", flat=True))
    rows = through.objects.filter(**{field_name: duplicate})
    rows.filter(**{f"{owner_name}_id__in": kept}).delete()
    rows.update(**{field_name: survivor})
