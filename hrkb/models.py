"""Building blocks shared by every app: curated records, status, ranks, old slugs."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def now():
    """The current time to the millisecond, which is what JSON fixtures keep.

    Django's JSON encoder drops microseconds below the millisecond, so stamps
    taken at full precision would not survive dumpdata → loaddata unchanged.
    """
    moment = timezone.now()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Rank(models.TextChoices):
    """Wikidata's statement ranks, for claims that compete."""

    PREFERRED = "preferred", _("preferred")
    NORMAL = "normal", _("normal")
    DEPRECATED = "deprecated", _("deprecated")


class Confidence(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class CuratedQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def readable(self, *, restricted: bool = False):
        """What a client may see (see :mod:`hrkb.access`), with what the type depends on (a quote's speaker)."""
        from .public_types import readable_q

        return self.filter(readable_q(self.model, restricted=restricted))


class CuratedModel(models.Model):
    """A record curators publish: slug as public id, status, restriction, timestamps.

    The slug is the natural key, so fixtures and URLs never carry database ids.
    Renaming a slug leaves a :class:`SlugRedirect` behind so old links resolve.
    """

    slug = models.SlugField(max_length=200, unique=True, allow_unicode=False)
    # Draft first: a record is published by a curator's decision, never by default (see hrkb.sourcing).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    restricted = models.BooleanField(
        default=False,
        db_index=True,
        help_text=_("Hidden from anonymous clients and from partners not cleared for restricted records."),
    )
    # Plain defaults rather than auto_now: fixture loading saves raw, which skips pre_save().
    created = models.DateTimeField(default=now, editable=False)
    modified = models.DateTimeField(default=now, editable=False, db_index=True)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.modified = now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "modified"}
        old_slug = getattr(self, "_loaded_slug", None)
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            SlugRedirect.objects.record(self, old_slug)
        self._loaded_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def natural_key(self):
        return (self.slug,)

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and not self.restricted


class SlugRedirectQuerySet(models.QuerySet):
    def record(self, instance: models.Model, old_slug: str) -> None:
        """Make ``old_slug`` (and any slug that pointed to it) resolve to ``instance``."""
        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
        redirects = self.filter(content_type=content_type)
        redirects.filter(new_slug=old_slug).update(new_slug=instance.slug)
        redirects.filter(old_slug=instance.slug).delete()
        self.update_or_create(content_type=content_type, old_slug=old_slug, defaults={"new_slug": instance.slug})

    def resolve(self, model: type[models.Model], slug: str) -> str | None:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        return self.filter(content_type=content_type, old_slug=slug).values_list("new_slug", flat=True).first()

    def get_by_natural_key(self, app_label, model, old_slug):
        return self.get(content_type__app_label=app_label, content_type__model=model, old_slug=old_slug)


class SlugRedirect(models.Model):
    """The old slug of a renamed or merged record, so links to it keep working."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    old_slug = models.SlugField(max_length=200)
    new_slug = models.SlugField(max_length=200)
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = SlugRedirectQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="slugredirect_unique_old_slug"),
        ]

    def __str__(self):
        return f"{self.content_type.model}: {self.old_slug} → {self.new_slug}"

    def natural_key(self):
        return (*self.content_type.natural_key(), self.old_slug)

    natural_key.dependencies = ["contenttypes.contenttype"]


class RankedClaim(models.Model):
    """A statement that may compete with others: which one to prefer, and why."""

    rank = models.CharField(max_length=10, choices=Rank.choices, default=Rank.NORMAL)
    rank_reason = models.CharField(
        max_length=300, blank=True, help_text=_("Why this claim is preferred or deprecated over the others.")
    )

    class Meta:
        abstract = True


class UnsourcedMark(models.Model):
    """A fact that may be published without a citation, when the curator says why (see :mod:`hrkb.sourcing`)."""

    unsourced_reason = models.CharField(
        _("published unsourced because"),
        max_length=300,
        blank=True,
        help_text=_(
            "Leave blank when the fact is cited. Otherwise say why it is published without a source "
            "(e.g. \u201cthe UN document is not stored yet\u201d); a fact without either stays a draft."
        ),
    )

    class Meta:
        abstract = True


class OwnSummary(models.Model):
    """A record whose description is either cited or marked as the curator's own summary."""

    own_summary = models.BooleanField(
        _("description is the curator's own summary"),
        default=False,
        help_text=_(
            "Tick when the description is your own summary rather than what a cited passage states; "
            "otherwise a published record's description needs a citation for it."
        ),
    )

    class Meta:
        abstract = True


def share_history(proxy: type[models.Model], records) -> None:
    """Record a proxy model's saves in its concrete model's history.

    django-simple-history listens for signals sent by the concrete model, but
    Django sends a proxy's saves under the proxy's name, so admin edits of a
    Person (a proxy of Actor) would otherwise go unrecorded.
    """
    concrete = proxy._meta.concrete_model
    proxy._meta.simple_history_manager_attribute = concrete._meta.simple_history_manager_attribute
    post_save.connect(records.post_save, sender=proxy, weak=False)
    pre_delete.connect(records.pre_delete, sender=proxy, weak=False)
    post_delete.connect(records.post_delete, sender=proxy, weak=False)


class PartnerKeyQuerySet(models.QuerySet):
    def get_by_natural_key(self, prefix):
        return self.get(prefix=prefix)

    def active(self):
        return self.filter(revoked__isnull=True)

    def get_for_secret(self, secret: str) -> PartnerKey | None:
        """The active key whose secret this is, or None; secrets are compared by their hash."""
        return self.active().select_related("user").filter(hashed_secret=PartnerKey.hash_secret(secret)).first()


class PartnerKey(models.Model):
    """An API key held by a partner organisation.

    Only the SHA-256 hash of the secret is stored; the secret itself is shown
    once, when the key is created in the admin. ``can_read_restricted`` clears
    the key for restricted records (never for drafts). Writes, where the API
    offers them, follow the model permissions of the linked ``user``.
    """

    SECRET_PREFIX = "hrkb_"

    name = models.CharField(max_length=200, help_text=_("What the key is for, e.g. \u201cCSW sync server\u201d."))
    organisation = models.ForeignKey(
        "actors.Organisation",
        on_delete=models.PROTECT,
        related_name="partner_keys",
        help_text=_("The partner organisation that holds the key."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_keys",
        help_text=_("Whose model permissions govern the writes this key may make. Leave empty for read-only."),
    )
    prefix = models.CharField(
        max_length=16, unique=True, editable=False, help_text=_("The start of the secret, to recognise a key.")
    )
    hashed_secret = models.CharField(max_length=64, unique=True, editable=False)
    can_read_restricted = models.BooleanField(
        default=False, help_text=_("Cleared for restricted records (drafts stay hidden).")
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def natural_key(self):
        # The prefix is unique and not secret (it is shown to recognise a key), so backups and dumps name keys by it.
        return (self.prefix,)

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def set_new_secret(self) -> str:
        """Give the key a fresh secret and return it: the only time it is ever readable."""
        prefix = secrets.token_hex(4)
        secret = f"{self.SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        self.prefix = prefix
        self.hashed_secret = self.hash_secret(secret)
        return secret

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])

    @property
    def is_active(self) -> bool:
        return self.revoked is None


class Change(models.Model):
    """One write to a record of a public type, as the database saw it: what the changes feed reads.

    Rows are written only by database triggers (see :mod:`hrkb.changelog`), for
    every insert, update and delete of a public type's table and for every
    write to a table whose rows show in such a record (memberships, citations,
    aliases...), whatever made it: the admin, the ORM, ``loaddata``, bulk
    writes or raw SQL. ``public`` and ``cleared`` say whether the record was
    readable under ``slug`` — before or after the write — by anyone, or by a
    key cleared for restricted records, so the feed never names a record to a
    client that could not have read it.
    """

    # PostgreSQL: the writing transaction's id, so the feed reads only what no running
    # transaction can still add to (0 on SQLite, which commits one writer at a time).
    tx = models.BigIntegerField(default=0)
    changed = models.DateTimeField()
    type = models.CharField(max_length=20)
    record = models.BigIntegerField(help_text=_("The record's primary key in its table."))
    slug = models.CharField(max_length=200)
    public = models.BooleanField()
    cleared = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["tx", "id"], name="change_position"),
            models.Index(fields=["changed"], name="change_changed"),
        ]

    def __str__(self):
        return f"{self.type} {self.slug} at {self.changed:%Y-%m-%d %H:%M:%S}"
