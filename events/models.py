"""Events and who took part in them."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actors.models import Actor
from hrkb.dates import PartialDateField
from hrkb.models import CuratedModel, OwnSummary, RankedClaim, UnsourcedMark
from reports.models import Report, Topic

from .choices import EventKind, ParticipantRole

country_code_validator = RegexValidator(r"^[A-Z]{2}$", _("Use an ISO 3166-1 alpha-2 code such as KP or SG."))


class Event(CuratedModel, UnsourcedMark, OwnSummary):
    """Something that happened: a summit, a report's publication, a resolution, a visit."""

    title = models.CharField(max_length=500)
    aliases = models.TextField(
        blank=True, help_text=_("Other names it goes by, one per line, e.g. the Singapore Summit.")
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices, db_index=True)
    start = PartialDateField(null=True, blank=True, db_index=True)
    end = PartialDateField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True, help_text=_("City or venue, e.g. Singapore."))
    country = models.CharField(
        max_length=2,
        blank=True,
        db_index=True,
        validators=[country_code_validator],
        help_text=_("ISO 3166-1 alpha-2 code of the country where it happened."),
    )
    description = models.TextField(blank=True)
    related_reports = models.ManyToManyField(Report, blank=True, related_name="events")
    topics = models.ManyToManyField(Topic, blank=True, related_name="events")

    history = HistoricalRecords(m2m_fields=["related_reports", "topics"])

    class Meta:
        ordering = ["-start", "title"]
        indexes = [
            # The claims review's unsourced lists without reading every event's row (see reports.Report).
            models.Index(fields=["id", "start"], condition=Q(unsourced_reason=""), name="event_fact_unwaived_idx"),
            models.Index(fields=["id"], condition=Q(own_summary=False), name="event_description_unwaived_idx"),
            models.Index(fields=["status"], condition=~Q(unsourced_reason=""), name="event_marked_unsourced_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start and self.end and self.end.latest < self.start.earliest:
            raise ValidationError({"end": _("An event cannot end before it starts.")})

    def get_absolute_url(self):
        return reverse("api:event-detail", kwargs={"slug": self.slug})


class ParticipantQuerySet(models.QuerySet):
    def get_by_natural_key(self, event_slug, actor_slug, role):
        return self.get(event__slug=event_slug, actor__slug=actor_slug, role=role)


class Participant(RankedClaim, UnsourcedMark):
    """An actor's part in an event: who chaired, who met, who signed."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT)
    role_title = models.CharField(
        max_length=200, blank=True, help_text=_("The role as the source words it, if more precise.")
    )

    objects = ParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "role", "actor__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="participant_unique_role"),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()}) at {self.event}"

    def natural_key(self):
        return (self.event.slug, self.actor.slug, self.role)
