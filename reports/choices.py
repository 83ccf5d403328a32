from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    REPORT = "report", _("report")
    ARTICLE = "article", _("article or blog post")
    UN_DOCUMENT = "un_document", _("UN document")
    RESOLUTION = "resolution", _("resolution")
    OPEN_LETTER = "open_letter", _("open letter")
    STATEMENT = "statement", _("statement or press release")
    SPEECH = "speech", _("speech or lecture")
    BOOK = "book", _("book")
    OTHER = "other", _("other")


class TopicKind(models.TextChoices):
    UDHR_ARTICLE = "udhr_article", _("article of the Universal Declaration of Human Rights")
    THEME = "theme", _("theme")
