"""Template helpers of the research views: badges, dossier links, partial dates."""

from django import template

from hrkb.research import records

register = template.Library()


@register.simple_tag
def badges(record):
    """Draft and restricted badges (nothing for a published, unrestricted record)."""
    return records.badges(record)


@register.filter
def dossier_url(record):
    return records.dossier_url(record) or ""


@register.simple_tag
def record_link(record, text=None):
    return records.record_link(record, text)


@register.filter
def partial(value):
    """A partial date at its precision ("February 2014"), or an em dash."""
    return value.display() if value else "—"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def change_url(record):
    """The record's admin change page."""
    from hrkb.admin import admin_url

    return admin_url(record) or ""
