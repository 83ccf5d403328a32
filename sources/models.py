"""What is anchored in the stored source texts: citations of their passages, and mentions of records.

A citation ties a fact — a membership, a report's date or authorship, a quote,
an event, a participant — to the exact passage of a report's text that states
it; a mention records where a text names an actor, a report or an event. Both
point into ``Report.text`` by character offsets, and both may point at records
of every other app, so they live here, downstream of ``actors``, ``reports`` and
``events`` (the ingest that writes reports and links mentions lives here too).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actors.models import Actor, Membership
from events.models import Event, Participant
from hrkb.models import Confidence, RankedClaim
from reports.models import Quote, Report

from .choices import MentionOrigin


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, *key):
        *subject_key, source_slug, start = key
        subject_model = self.model._meta.get_field("subject").related_model
        subject = subject_model._default_manager.get_by_natural_key(*subject_key)
        return self.get(subject=subject, source__slug=source_slug, start=start)


class Citation(RankedClaim):
    """The passage of a source that supports a fact.

    Each kind of fact has its own citation table (``subject`` points at the
    fact) so that every citation is a real foreign key; they all share this
    behaviour. The passage must occur verbatim in the source's stored text at
    ``start``–``end``; :meth:`clean` and fixture loading refuse it otherwise.
    A source whose text is not stored (a UN document known by its symbol and
    URL) can still be cited: the citation then has no offsets, and every view
    shows it as unchecked ("text not stored").
    """

    source = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")
    passage = models.TextField(
        blank=True,
        help_text=_(
            "The exact words of the source that state the fact. Required when the source's text is stored; "
            "for a source whose text is not (a UN document known by its symbol), the words as printed, unchecked."
        ),
    )
    start = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Character offset of the passage in the source's text; found if left blank.")
    )
    end = models.PositiveIntegerField(null=True, blank=True)
    confidence = models.CharField(max_length=6, choices=Confidence.choices, default=Confidence.HIGH)
    claim = models.CharField(
        max_length=100, blank=True, help_text=_("The fact the passage supports, e.g. start, role, place.")
    )
    value = models.CharField(
        max_length=300, blank=True, help_text=_("What the source says, where it differs from the stored value.")
    )

    objects = CitationQuerySet.as_manager()

    # Its offsets index the text of `source`, and `passage` holds the words (see hrkb.merging, hrkb.anchoring).
    anchor = ("source", "passage")

    class Meta:
        abstract = True
        ordering = ["source", "start"]
        indexes = [
            # The claims a curator must look at: a value of its own (so possibly competing),
            # a rank or a low confidence. Small, so the review worklists never scan the table.
            models.Index(
                fields=["subject", "claim"],
                condition=~Q(value="") | ~Q(rank="normal") | Q(confidence="low"),
                name="%(class)s_review",
            ),
            # The admin list's claim filter reads its few values by skipping through this.
            models.Index(fields=["claim"], name="%(class)s_claim"),
        ]

    def __str__(self):
        passage = self.passage if len(self.passage) <= 60 else f"{self.passage[:59]}…"
        return f"{self.source}: \u201c{passage}\u201d"

    def save(self, *args, **kwargs):
        # Saving through the ORM is held to the same rule as forms and fixtures.
        self.locate()
        super().save(*args, **kwargs)

    def natural_key(self):
        return (*self.subject.natural_key(), self.source.slug, self.start)

    def locate(self) -> None:
        """Check the passage against the source's text, filling offsets that were left blank.

        Raises ValidationError naming the passage when it is not in the text.
        """
        text = self.source.text
        if not text:
            # Nothing to check against: no offsets, so nothing can point at other text later.
            self.start = self.end = None
            return
        if self.start is None and self.passage:
            found = text.find(self.passage)
            self.start = found if found >= 0 else None
        if self.start is not None and self.end is None:
            self.end = self.start + len(self.passage)
        if self.start is None or not self.passage or text[self.start : self.end] != self.passage:
            where = "" if self.start is None else " at characters %(start)s–%(end)s"
            raise ValidationError(
                {
                    "passage": ValidationError(
                        _("The passage \u201c%(passage)s\u201d does not occur in the text of \u201c%(source)s\u201d")
                        + where
                        + ".",
                        code="passage_not_found",
                        params={"passage": self.passage, "source": self.source, "start": self.start, "end": self.end},
                    )
                }
            )

    def clean(self):
        if self.source_id is not None:
            self.locate()

    @classmethod
    def subject_constraints(cls, name):
        return [
            models.UniqueConstraint(fields=["subject", "source", "start"], name=f"{name}_unique_passage"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name=f"{name}_end_after_start"),
        ]


class ActorCitation(Citation):
    """A citation for a fact about a person or an organisation: above all, what its description states."""

    subject = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        constraints = Citation.subject_constraints("actorcitation")


class ReportCitation(Citation):
    """A citation for a fact about a report: its date, authors, publishers, references."""

    subject = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        constraints = Citation.subject_constraints("reportcitation")


class MembershipCitation(Citation):
    """A citation for a role a person holds."""

    subject = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        constraints = Citation.subject_constraints("membershipcitation")


class QuoteCitation(Citation):
    """A citation for a quote's wording, speaker or date."""

    subject = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        constraints = Citation.subject_constraints("quotecitation")


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


def citation_models() -> list[type[Citation]]:
    """Every citation table, one per kind of fact (derived from the models, never listed)."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, Citation)]


class MentionQuerySet(models.QuerySet):
    def get_by_natural_key(self, report_slug, start, end):
        return self.get(report__slug=report_slug, start=start, end=end)


class Mention(models.Model):
    """A span of a report's stored text that names an actor, a report or an event.

    It lives here, downstream of the three apps, because it may point at a record of any of them.
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

    # Its offsets index the text of `report`, and `text` holds the words (see hrkb.merging, hrkb.anchoring).
    anchor = ("report", "text")

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
            # The admin's list sorted by the mentions' words, or by origin, reads them in these orders
            # (hrkb.admin.walk_of).
            models.Index(fields=["text", "id"], name="mention_text_idx"),
            models.Index(fields=["origin", "id"], name="mention_origin_idx"),
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
