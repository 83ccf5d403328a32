"""The claims review's unsourced worklist: every published fact that breaks the publish rule, found table-wide."""

import pytest

from actors.models import Actor, Membership
from events.models import Event, Participant
from hrkb import sourcing
from reports.models import Quote, Report
from sources.models import ActorCitation, MembershipCitation, ParticipantCitation, QuoteCitation, ReportCitation

from .helpers import COI_REPORT, url

GOVERNED = (Actor, Membership, Report, Quote, Event, Participant)


def _break_the_rule():
    """Remove sources behind the rule's back (a bulk delete, as a careless script would), one per requirement."""
    ReportCitation.objects.filter(subject__slug=COI_REPORT, claim="published").delete()
    authored = ReportCitation.objects.filter(claim="author").exclude(subject__slug=COI_REPORT)[0].subject
    ReportCitation.objects.filter(subject=authored, claim="author").delete()
    ActorCitation.objects.filter(subject=ActorCitation.objects.filter(claim="description")[0].subject).delete()
    MembershipCitation.objects.filter(subject=MembershipCitation.objects.all()[0].subject).delete()
    QuoteCitation.objects.filter(subject=QuoteCitation.objects.all()[0].subject).delete()
    participant = ParticipantCitation.objects.all()[0].subject
    ParticipantCitation.objects.filter(subject=participant).delete()
    return participant.event


@pytest.mark.django_db
def test_the_table_wide_form_finds_exactly_what_the_row_form_finds(linked_corpus):
    event = _break_the_rule()
    broken = 0
    for model in GOVERNED:
        expected = set(model._base_manager.filter(sourcing.unmet_q(model)).values_list("pk", flat=True))
        found = set(model._base_manager.filter(sourcing.unmet_in_table_q(model)).values_list("pk", flat=True))
        assert found == expected, model.__name__
        broken += len(expected)
    assert broken >= 6
    assert Event._base_manager.filter(sourcing.unmet_in_table_q(Event), pk=event.pk).exists()
    # A draft breaks no rule: the worklist is about what is published.
    Report.objects.filter(slug=COI_REPORT).update(status="draft")
    assert not Report._base_manager.filter(sourcing.unmet_in_table_q(Report), slug=COI_REPORT).exists()


@pytest.mark.django_db
def test_the_unsourced_worklist_lists_every_broken_fact(staff_client, linked_corpus):
    _break_the_rule()
    expected = {
        (model._meta.model_name, pk)
        for model in GOVERNED
        for pk in model._base_manager.filter(sourcing.unmet_q(model)).values_list("pk", flat=True)
    }
    response = staff_client.get(url("research_claims"), {"queue": "unsourced"})
    assert response.status_code == 200
    listed = {(type(row.fact)._meta.model_name, row.fact.pk) for row in response.context["rows"]}
    assert listed == expected
    [count] = [count for key, _label, count, _url in response.context["queues"] if key == "unsourced"]
    assert count == len(expected)
