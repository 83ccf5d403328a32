"""Complete history: many-to-many changes, and a record as of a date in the admin and the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from tests import factories

pytestmark = pytest.mark.django_db

EARLY = timezone.make_aware(datetime.datetime(2024, 1, 10, 12))
LATE = timezone.make_aware(datetime.datetime(2024, 6, 10, 12))


@pytest.fixture
def edited_report():
    """A report published in January with one publisher, renamed and given a second publisher in June."""
    first, second = factories.organisation("First NGO", slug="first-ngo"), factories.organisation("Second NGO")
    report = factories.report("Old title", slug="the-report", publishers=[first])
    report.history.update(history_date=EARLY)
    report.title = "New title"
    report.save()
    report.publishers.add(second)
    report.history.filter(history_date__gt=EARLY).update(history_date=LATE)
    return report


def test_many_to_many_changes_are_recorded_with_their_diff(edited_report):
    latest = edited_report.history.first()
    january = edited_report.history.filter(history_date=EARLY).first()
    changes = {change.field: change for change in latest.diff_against(january).changes}
    assert set(changes) == {"title", "publishers"}
    assert len(changes["publishers"].new) == 2 and len(changes["publishers"].old) == 1


def test_the_admin_shows_a_record_as_of_a_date(curator_client, edited_report):
    history_url = reverse("admin:reports_report_history", args=[edited_report.pk])
    page = curator_client.get(history_url).content.decode()
    assert 'name="as_of"' in page
    response = curator_client.get(history_url, {"as_of": "2024-02-01"})
    assert response.status_code == 302
    version = curator_client.get(response["Location"])
    assert version.status_code == 200
    form = version.context["adminform"].form
    assert form["title"].value() == "Old title"
    assert [str(pk) for pk in form["publishers"].value()] == [str(edited_report.publishers.get(slug="first-ngo").pk)]
    too_early = curator_client.get(history_url, {"as_of": "2023-01-01"}, follow=True)
    assert "did not exist yet" in too_early.content.decode()


def test_the_api_answers_as_of_a_date(anonymous_client, edited_report):
    url = f"/api/v1/reports/{edited_report.slug}/"
    then = anonymous_client.get(url, {"as_of": "2024-02-01"}).json()
    assert then["title"] == "Old title"
    assert [publisher["slug"] for publisher in then["publishers"]] == ["first-ngo"]
    now = anonymous_client.get(url).json()
    assert now["title"] == "New title" and len(now["publishers"]) == 2
    assert anonymous_client.get(url, {"as_of": "2024-07-01T00:00:00Z"}).json()["title"] == "New title"
    bad = anonymous_client.get(url, {"as_of": "last spring"})
    assert bad.status_code == 400 and "as_of" in bad.json()
    assert anonymous_client.get(url, {"as_of": "2023-12-31"}).status_code == 404
    # A date means the end of that day: the January version stands at the end of 10 January.
    assert anonymous_client.get(url, {"as_of": "2024-01-10"}).json()["title"] == "Old title"
    assert anonymous_client.get(url, {"as_of": "2024-01-10T11:00:00Z"}).status_code == 404


def test_the_api_never_serves_a_version_from_before_publication(anonymous_client):
    report = factories.report("Draft notes", slug="draft-notes", status="draft")
    report.history.update(history_date=EARLY)
    Report.objects.filter(pk=report.pk).update(status="published")
    report.refresh_from_db()
    report.save()
    response = anonymous_client.get(f"/api/v1/reports/{report.slug}/", {"as_of": "2024-02-01"})
    assert response.status_code == 404
    assert anonymous_client.get(f"/api/v1/reports/{report.slug}/").status_code == 200


def test_as_of_is_a_documented_parameter_of_every_detail(anonymous_client):
    schema = anonymous_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    details = [path for path in schema["paths"] if path.endswith("{slug}/")]
    assert details
    for path in details:
        names = {parameter["name"] for parameter in schema["paths"][path]["get"].get("parameters", [])}
        assert "as_of" in names, path


def test_relating_an_event_from_the_reports_page_is_in_the_events_history(curator, curator_client):
    report = factories.report("COI report", slug="coi-report")
    event = factories.event("Publication", slug="publication")
    from tests.admin.test_admin_pages import _change_form_data

    change_url = reverse("admin:reports_report_change", args=[report.pk])
    data = _change_form_data(curator_client.get(change_url))
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS") and "related" in key.lower()).removesuffix(
        "-TOTAL_FORMS"
    )
    data |= {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-event": str(event.pk)}
    data |= {"own_summary": "on", "unsourced_reason": "Test."}
    response = curator_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(event.related_reports.all()) == [report]
    latest = event.history.first()
    assert latest.history_user == curator
    assert [row.report_id for row in latest.related_reports.all()] == [report.pk]
