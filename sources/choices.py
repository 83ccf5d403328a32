from django.db import models
from django.utils.translation import gettext_lazy as _


class MentionOrigin(models.TextChoices):
    LINKED = "linked", _("found by linking")
    CURATED = "curated", _("added by a curator")
