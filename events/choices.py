from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    SUMMIT = "summit", _("summit or meeting")
    PUBLICATION = "publication", _("publication of a report")
    RESOLUTION = "resolution", _("resolution")
    STATEMENT = "statement", _("statement")
    SPEECH = "speech", _("speech or lecture")
    HEARING = "hearing", _("hearing")
    VISIT = "visit", _("visit")
    FOUNDING = "founding", _("founding or establishment")
    CAMPAIGN = "campaign", _("campaign or letter")
    COMMEMORATION = "commemoration", _("commemoration or holiday")
    VIOLATION = "violation", _("violation or atrocity")
    OTHER = "other", _("other")


class ParticipantRole(models.TextChoices):
    CHAIR = "chair", _("chair")
    PARTICIPANT = "participant", _("participant")
    HOST = "host", _("host")
    ORGANISER = "organiser", _("organiser")
    SPEAKER = "speaker", _("speaker")
    AUTHOR = "author", _("author")
    SIGNATORY = "signatory", _("signatory")
    WITNESS = "witness", _("witness")
    SUBJECT = "subject", _("subject")
    ADDRESSEE = "addressee", _("addressee")
    FOUNDER = "founder", _("founder")
    SUPPORTER = "supporter", _("supporter")
    PERPETRATOR = "perpetrator", _("alleged perpetrator")
    VICTIM = "victim", _("victim")
    OTHER = "other", _("other")
