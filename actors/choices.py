from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    COALITION = "coalition", _("coalition")
    UN_BODY = "un_body", _("UN body")
    INTERGOVERNMENTAL = "intergovernmental", _("intergovernmental organisation")
    COURT = "court", _("court")
    PARLIAMENT = "parliament", _("parliament")
    PARLIAMENTARY_GROUP = "parliamentary_group", _("parliamentary group")
    GOVERNMENT = "government", _("government")
    STATE = "state", _("state")
    PARTY = "party", _("political party")
    MEDIA = "media", _("media")
    RELIGIOUS = "religious", _("religious body")
    ACADEMIC = "academic", _("academic institution")
    OTHER = "other", _("other")


class AliasKind(models.TextChoices):
    SPELLING = "spelling", _("other spelling")
    ROMANISATION = "romanisation", _("romanisation")
    NATIVE = "native", _("native script")
    ABBREVIATION = "abbreviation", _("abbreviation")
    FORMER = "former", _("former name")
    TITLE = "title", _("name with title")
    MISSPELLING = "misspelling", _("misspelling seen in a source")
