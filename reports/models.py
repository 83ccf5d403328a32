"""Reports (any publication), their authors, topics and quotes."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actors.models import Organisation, Person
from hrkb.dates import PartialDateField
from hrkb.models import CuratedModel, OwnSummary, UnsourcedMark

from .choices import ReportKind, TopicKind


class Topic(CuratedModel):
    """A term of the controlled vocabulary used to tag reports and events."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=TopicKind.choices, default=TopicKind.THEME)
    udhr_article = models.PositiveSmallIntegerField(
        "UDHR article",
        null=True,
        blank=True,
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("The article of the Universal Declaration of Human Rights this topic is (1–30)."),
    )
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "udhr_article", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=TopicKind.UDHR_ARTICLE, udhr_article__isnull=False)
                | (~Q(kind=TopicKind.UDHR_ARTICLE) & Q(udhr_article__isnull=True)),
                name="topic_udhr_article_iff_kind",
                violation_error_message=_("UDHR-article topics, and only they, carry an article number."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("api:topic-detail", kwargs={"slug": self.slug})


class Report(CuratedModel, UnsourcedMark, OwnSummary):
    """A publication: a report, article, UN document, resolution or open letter."""

    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    aliases = models.TextField(
        blank=True, help_text=_("Other titles it goes by, one per line, e.g. a short title such as Total Denial.")
    )
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    publishers = models.ManyToManyField(Organisation, blank=True, related_name="published_reports")
    published = PartialDateField(null=True, blank=True, help_text=_("When it was published."))
    language = models.CharField(max_length=20, default="en", help_text=_("BCP 47 tag of the text, e.g. en, ko."))
    summary = models.TextField(blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    un_symbol = models.CharField(
        "UN document symbol", max_length=100, blank=True, help_text=_("For UN documents, e.g. A/HRC/25/63.")
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="reports")
    references = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="referenced_by",
        help_text=_("Other reports this one cites or discusses."),
    )
    text = models.TextField(
        blank=True,
        help_text=_("The full text, exactly as in the source. Left empty, citations of it are shown as unchecked."),
    )

    # Many-to-many changes are history too: who added a publisher, a topic, a reference.
    history = HistoricalRecords(m2m_fields=["publishers", "topics", "references"])

    class Meta:
        ordering = ["-published", "title"]
        indexes = [
            # A set of reports counted by year (a dossier's strip) without reading their rows.
            models.Index(fields=["id", "published"], name="report_id_published_idx"),
            # Reports in timeline order, the finer precision first on a day they share.
            models.Index(fields=["published", "published_precision"], name="report_timeline_idx"),
            # The admin list sorted by a column, searched for a common word, is read along that column's index,
            # each row tested until the page is full (hrkb.admin_lists.walk_of); with the key, ties too (both
            # ways). The language filter and the date hierarchy read their values by skipping through these.
            models.Index(fields=["title", "id"], name="report_title_idx"),
            models.Index(fields=["kind", "id"], name="report_kind_idx"),
            models.Index(fields=["published", "id"], name="report_published_idx"),
            models.Index(fields=["language", "id"], name="report_language_idx"),
            models.Index(fields=["restricted", "id"], name="report_restricted_idx"),
            # Published reports in id order, read without their rows: the claims review's unsourced list
            # (published reports no citation names) and the home page's counts.
            models.Index(fields=["status", "id"], name="report_status_idx"),
            # The claims review's unsourced lists without reading the reports' wide rows: those neither cited
            # nor waived are found among the unwaived (few, when curators mark or cite), the marked counted.
            models.Index(fields=["id", "published"], condition=Q(unsourced_reason=""), name="report_fact_unwaived_idx"),
            models.Index(fields=["id"], condition=Q(own_summary=False), name="report_summary_unwaived_idx"),
            models.Index(fields=["status"], condition=~Q(unsourced_reason=""), name="report_marked_unsourced_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["un_symbol"], condition=~Q(un_symbol=""), name="report_unique_un_symbol"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("api:report-detail", kwargs={"slug": self.slug})


class AuthorshipQuerySet(models.QuerySet):
    def get_by_natural_key(self, report_slug, position):
        return self.get(report__slug=report_slug, position=position)


class Authorship(models.Model):
    """A report's author: a person, or an organisational byline such as "CSW's North Korea Desk Officer"."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveSmallIntegerField(default=1, help_text=_("Order in the byline, from 1."))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="authorships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bylines",
        help_text=_("The organisation behind an organisational byline."),
    )
    byline = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The byline as printed, e.g. \u201cCSW's North Korea Desk Officer\u201d."),
    )

    objects = AuthorshipQuerySet.as_manager()
    history = HistoricalRecords()

    # The same author twice on one report is one authorship (a merge folds them); its place in the byline is not.
    merge_identity = ("report", "person", "organisation", "byline")

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="authorship_unique_position"),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(byline=""),
                name="authorship_has_person_or_byline",
                violation_error_message=_("An author is a person or a byline."),
            ),
        ]

    def __str__(self):
        return str(self.person) if self.person_id else self.byline

    def natural_key(self):
        return (self.report.slug, self.position)

    natural_key.dependencies = ["reports.report", "actors.actor"]


class Quote(CuratedModel, UnsourcedMark):
    """A statement attributed to a person, with when it was said and where it is reported."""

    speaker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField()
    said = PartialDateField(null=True, blank=True, help_text=_("When it was said."))
    occasion = models.CharField(max_length=300, blank=True, help_text=_("e.g. Nobel Peace Prize lecture."))
    source = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text=_("The report in which the quote appears."),
    )
    language = models.CharField(max_length=20, default="en")

    history = HistoricalRecords()

    merge_identity = ("speaker", "text", "said")

    class Meta:
        ordering = ["-said", "speaker__name"]
        indexes = [
            # The admin list's order and date hierarchy, and its language filter; sorted by when it was said or
            # whether it is restricted, the list searched for a common word is read along those (see Report).
            models.Index(fields=["said", "id"], name="quote_said_idx"),
            models.Index(fields=["restricted", "id"], name="quote_restricted_idx"),
            models.Index(fields=["language"], name="quote_language_idx"),
            # The claims review's unsourced lists (see Report).
            models.Index(fields=["id"], condition=Q(unsourced_reason=""), name="quote_unwaived_idx"),
            models.Index(fields=["status"], condition=~Q(unsourced_reason=""), name="quote_marked_unsourced_idx"),
            models.Index(fields=["status", "id"], name="quote_status_idx"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else f"{self.text[:59]}…"
        return f"{self.speaker}: \u201c{text}\u201d"

    def get_absolute_url(self):
        return reverse("api:quote-detail", kwargs={"slug": self.slug})
