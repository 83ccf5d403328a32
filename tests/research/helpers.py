"""Slugs of the corpus records the research tests read, and a short way to name research URLs."""

from django.urls import reverse

COI = "un-commission-of-inquiry-dprk"
COI_REPORT = "report-of-the-commission-of-inquiry-on-human-rights-in-the-dprk"
COI_REPORT_EVENT = "un-commission-of-inquiry-dprk-report-2014"
SUMMIT_ARTICLE = "human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea"


def url(name, *args):
    return reverse(f"admin:{name}", args=args)
