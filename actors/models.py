"""People and organisations, their other names, and the roles people hold."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hrkb.dates import PartialDateField
from hrkb.models import CuratedModel, CuratedQuerySet, OwnSummary, RankedClaim, UnsourcedMark, share_history

from .choices import ActorKind, AliasKind, OrganisationKind

# Kept by name so the proxies' saves can be recorded in the same history.
actor_history = HistoricalRecords()

wikidata_id_validator = RegexValidator(r"^Q[1-9]\d*$", _("A Wikidata id looks like Q42."))


class Actor(CuratedModel, OwnSummary):
    """A person or an organisation: anyone who acts, speaks, is named or is harmed.

    One table holds both kinds so that events, mentions and aliases can point at
    "an actor" and slugs are unique across people and organisations; the proxy
    models :class:`Person` and :class:`Organisation` give each kind its admin,
    API resource and queryset; each names its ``kind`` as ``proxy_kind``.
    """

    kind = models.CharField(max_length=12, choices=ActorKind.choices, db_index=True)
    name = models.CharField(max_length=300, help_text=_("The display name, as readers of English know it."))
    description = models.TextField(blank=True)
    wikidata_id = models.CharField("Wikidata id", max_length=20, blank=True, validators=[wikidata_id_validator])
    organisation_kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, blank=True, help_text=_("Organisations only.")
    )
    parent = models.ForeignKey(
        "actors.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"kind": ActorKind.ORGANISATION},
        help_text=_("The organisation this one belongs to (organisations only)."),
    )

    history = actor_history

    class Meta:
        ordering = ["name"]
        indexes = [
            # The admin's lists of people and organisations, by name (Django adds "-pk" to make it total).
            models.Index(fields=["name", "-id"], name="actor_name_idx"),
            # The claims review's unsourced list: descriptions neither cited nor the curator's own.
            models.Index(fields=["id"], condition=Q(own_summary=False), name="actor_description_unwaived_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="actor_unique_wikidata_id"
            ),
            models.CheckConstraint(
                condition=Q(kind=ActorKind.ORGANISATION) | Q(organisation_kind="", parent__isnull=True),
                name="actor_person_has_no_organisation_fields",
                violation_error_message=_("Only organisations have an organisation kind or a parent."),
            ),
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})

    def get_absolute_url(self):
        route = "person-detail" if self.kind == ActorKind.PERSON else "organisation-detail"
        return reverse(f"api:{route}", kwargs={"slug": self.slug})

    @property
    def names(self) -> list[str]:
        """The display name and every alias: what mention linking and search look for."""
        return [self.name, *(alias.name for alias in self.aliases.all())]


class ActorKindManager(models.Manager.from_queryset(CuratedQuerySet)):
    """The actors of one kind, for a proxy model."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.model.proxy_kind)


class Person(Actor):
    """A human being: an official, a witness, an author, a dissident."""

    proxy_kind = ActorKind.PERSON
    objects = ActorKindManager()

    class Meta:
        proxy = True
        ordering = ["name"]
        verbose_name_plural = _("people")

    def save(self, *args, **kwargs):
        self.kind = ActorKind.PERSON
        super().save(*args, **kwargs)


class Organisation(Actor):
    """An NGO, UN body, court, parliament, government, coalition or party."""

    proxy_kind = ActorKind.ORGANISATION
    objects = ActorKindManager()

    class Meta:
        proxy = True
        ordering = ["name"]

    def save(self, *args, **kwargs):
        self.kind = ActorKind.ORGANISATION
        super().save(*args, **kwargs)


class AliasQuerySet(models.QuerySet):
    def get_by_natural_key(self, actor_slug, name):
        return self.get(actor__slug=actor_slug, name=name)


class Alias(models.Model):
    """Another name for an actor: a spelling, a romanisation, a name in Hangul."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=AliasKind.choices, default=AliasKind.SPELLING)
    language = models.CharField(
        max_length=20, blank=True, help_text=_("BCP 47 tag of the alias, e.g. ko, ko-Latn, en.")
    )

    objects = AliasQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("aliases")
        ordering = ["actor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="alias_unique_per_actor"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.actor.slug, self.name)

    natural_key.dependencies = ["actors.actor"]


class Membership(CuratedModel, RankedClaim, UnsourcedMark):
    """A role a person holds in an organisation (Popolo's Membership)."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": ActorKind.PERSON},
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        # Person and Organisation share a table, so their reverse names must differ.
        related_name="organisation_memberships",
        limit_choices_to={"kind": ActorKind.ORGANISATION},
    )
    role = models.CharField(max_length=200, help_text=_('The role title, e.g. "Chair" or "East Asia Team Leader".'))
    start = PartialDateField(null=True, blank=True)
    end = PartialDateField(null=True, blank=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    # What makes two memberships the same fact: a merge folds them into one (see hrkb.merging).
    merge_identity = ("person", "organisation", "role", "start", "end")

    class Meta:
        ordering = ["organisation__name", "start", "person__name"]
        indexes = [
            # The admin list's date hierarchy and its role filter read these by skipping through them.
            models.Index(fields=["start"], name="membership_start_idx"),
            models.Index(fields=["role"], name="membership_role_idx"),
            # The network overview: people by how many organisations they hold roles in, read in index order.
            models.Index(fields=["person", "organisation"], name="membership_person_org_idx"),
        ]

    def __str__(self):
        return f"{self.person} — {self.role}, {self.organisation}"

    def clean(self):
        if self.start and self.end and self.end.latest < self.start.earliest:
            raise ValidationError({"end": _("A membership cannot end before it starts.")})

    @staticmethod
    def make_slug(person_slug: str, role: str, organisation_slug: str) -> str:
        """The slug a membership gets when none is given: person, role and organisation."""
        return slugify(f"{person_slug} {role} {organisation_slug}")[:200]


share_history(Person, actor_history)
share_history(Organisation, actor_history)
