"""Events, who took part in them, and where stored texts mention any record."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actors.models import Actor
from hrkb.dates import PartialDateField
from hrkb.models import CuratedModel, RankedClaim
from reports.models import Citation, Report, Topic

from .choices import EventKind, MentionOrigin, ParticipantRole

country_code_validator = RegexValidator(r"^[A-Z]{2}$", _("Use an ISO 3166-1 alpha-2 code such as KP or SG."))


class Event(CuratedModel):
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "title"]

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


class Participant(RankedClaim):
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


class EventCitation(Citation):
    """A citation for a fact about an event: that it happened, its date, place or related reports."""

    subject = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        constraints = Citation.subject_constraints("eventcitation")


class ParticipantCitation(Citation):
    """A citation for an actor's part in an event."""

    subject = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        constraints = Citation.subject_constraints("participantcitation")


class MentionQuerySet(models.QuerySet):
    def get_by_natural_key(self, report_slug, start, end):
        return self.get(report__slug=report_slug, start=start, end=end)


class Mention(models.Model):
    """A span of a report's stored text that names an actor, a report or an event.

    It lives in the events app because it may point at any of the three.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=300, help_text=_("The words of the span, as in the text."))
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions")
    mentioned_report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="mentioned_in"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions")
    origin = models.CharField(max_length=10, choices=MentionOrigin.choices, default=MentionOrigin.CURATED)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "start"]
        constraints = [
            models.UniqueConstraint(fields=["report", "start", "end"], name="mention_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="mention_end_after_start"),
            models.CheckConstraint(
                condition=(
                    Q(actor__isnull=False, mentioned_report__isnull=True, event__isnull=True)
                    | Q(actor__isnull=True, mentioned_report__isnull=False, event__isnull=True)
                    | Q(actor__isnull=True, mentioned_report__isnull=True, event__isnull=False)
                ),
                name="mention_names_one_target",
                violation_error_message=_("A mention names exactly one actor, report or event."),
            ),
        ]
        indexes = [
            models.Index(fields=["actor", "report"], name="mention_actor_idx"),
        ]

    def __str__(self):
        return f"\u201c{self.text}\u201d in {self.report} at {self.start}"

    @property
    def target(self):
        return self.actor or self.mentioned_report or self.event

    def natural_key(self):
        return (self.report.slug, self.start, self.end)

    def clean(self):
        if self.report_id is not None and self.report.text[self.start : self.end] != self.text:
            raise ValidationError(
                _("\u201c%(text)s\u201d is not at characters %(start)s–%(end)s of \u201c%(report)s\u201d."),
                params={"text": self.text, "start": self.start, "end": self.end, "report": self.report},
                code="mention_span_mismatch",
            )
