"""The admin as a researcher uses it: every page renders, search finds aliases, history shows changes."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from actors.models import Actor, Alias, Membership, Organisation, Person
from events.models import Event, Participant
from hrkb.models import PartnerKey, SlugRedirect, Status
from reports.models import Authorship, Quote, Report, Topic
from sources.models import (
    ActorCitation,
    EventCitation,
    MembershipCitation,
    Mention,
    ParticipantCitation,
    QuoteCitation,
    ReportCitation,
)
from tests import factories

LOCAL_APPS = {"hrkb", "actors", "reports", "events", "sources"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in LOCAL_APPS), key=lambda m: m._meta.label
)
# Mentions and old slugs are rewritten by linking and renames; they keep no history.
WITH_HISTORY = [model for model in REGISTERED if isinstance(admin.site._registry[model], SimpleHistoryAdmin)]
COI_TEXT = (
    "The Commission of Inquiry on Human Rights in the Democratic People's Republic of Korea, "
    "chaired by Michael Kirby, found that Kim Il-sung founded the political prison camps."
)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def records(db):
    """One record of every registered model, linked the way real data is."""
    coi = factories.organisation("Commission of Inquiry on Human Rights in the DPRK", aliases=["COI"])
    kirby = factories.person("Michael Kirby", aliases=["Michael Donald Kirby"])
    kim = factories.person("Kim Il-sung", aliases=["김일성", "Kim Il Sung"])
    membership = factories.membership(kirby, coi, role="Chair", start="2013-05", end="2014-03")
    report = factories.report(
        "Report of the Commission of Inquiry",
        publishers=[coi],
        authors=[kirby],
        text=COI_TEXT,
        published="2014-02-07",
        aliases="COI report\nKirby report",
        un_symbol="A/HRC/25/63",
    )
    quote = factories.quote(kirby, text="Chaired by Michael Kirby", source=report, said="2014")
    event = factories.event(
        "Publication of the COI report", participants=[kirby, coi], start="2014-02-17", related_reports=[report]
    )
    participant = Participant.objects.get(event=event, actor=kirby)
    passage = {"source": report, "passage": "chaired by Michael Kirby"}
    kirby.slug = "michael-kirby"
    kirby.save()
    partner_key = PartnerKey(name="COI archive sync", organisation=coi)
    partner_key.set_new_secret()
    partner_key.save()
    return {
        Actor: Actor.objects.get(pk=kim.pk),
        Person: kim,
        Organisation: coi,
        Alias: Alias.objects.get(name="김일성"),
        Membership: membership,
        Topic: factories.topic("Political prison camps"),
        Report: report,
        Authorship: Authorship.objects.get(report=report),
        Quote: quote,
        ReportCitation: ReportCitation.objects.create(subject=report, **passage),
        ActorCitation: ActorCitation.objects.create(subject=kirby, claim="description", **passage),
        MembershipCitation: MembershipCitation.objects.create(subject=membership, **passage),
        QuoteCitation: QuoteCitation.objects.create(subject=quote, **passage),
        Event: event,
        Participant: participant,
        EventCitation: EventCitation.objects.create(subject=event, **passage),
        ParticipantCitation: ParticipantCitation.objects.create(subject=participant, **passage),
        Mention: factories.mention(report, "Kim Il-sung", actor=kim),
        SlugRedirect: SlugRedirect.objects.get(old_slug__startswith="michael-kirby-"),
        PartnerKey: partner_key,
    }


def _record(records, model):
    if model not in records:
        pytest.fail(f"Add a {model._meta.label} to the records fixture so that its admin pages are tested.")
    return records[model]


def test_every_local_model_has_an_admin():
    from django.apps import apps

    models = {
        model
        for app in LOCAL_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }
    # The change log is written by database triggers and read through /api/v1/changes/, not curated.
    assert models - set(REGISTERED) - {apps.get_model("hrkb", "Change")} == set()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_renders_for_a_curator(curator_client, records, model):
    _record(records, model)
    response = curator_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_each_rows_selection_box_is_djangos_own(curator_client, records, model, monkeypatch):
    """The lists of tables that grow write each row's selection box directly (hrkb.admin.EstimatedCountMixin),
    not through the forms' templates: the HTML Django's widget draws, its label escaped once."""
    from hrkb.admin import EstimatedCountMixin

    record = _record(records, model)
    monkeypatch.setattr(type(record), "__str__", lambda _record: 'Famine <&> "quoted"')
    model_admin = admin.site._registry[model]
    assert model_admin.action_checkbox(record) == admin.ModelAdmin.action_checkbox(model_admin, record)
    response = curator_client.get(_url(model, "changelist"))
    assert str(model_admin.action_checkbox(record)) in response.content.decode()
    drawn = {template.name for template in response.templates}
    if isinstance(model_admin, EstimatedCountMixin):
        assert "django/forms/widgets/checkbox.html" not in drawn


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_each_rows_link_keeps_the_lists_state_as_djangos_does(curator_client, records, model, monkeypatch):
    """A row's link carries the list's sorting and filters to its change page, as Django writes it, without
    resolving each row's link against the admin's URLs (hrkb.admin.KeyedChangeList)."""
    from django.contrib.admin.templatetags import admin_urls

    from hrkb.admin import EstimatedCountMixin, KeyedChangeList

    record = _record(records, model)
    change_url = _url(model, "change", record.pk)
    state = admin_urls.add_preserved_filters(
        {"preserved_filters": "_changelist_filters=o%3D1", "opts": model._meta}, change_url
    )
    assert state == f"{change_url}?_changelist_filters=o%3D1"
    resolved = []
    resolve = admin_urls.resolve
    monkeypatch.setattr(admin_urls, "resolve", lambda path: resolved.append(path) or resolve(path))
    response = curator_client.get(_url(model, "changelist"), {"o": "1"})
    assert f'href="{state}"' in response.content.decode()
    changelist = type(response.context["cl"])
    # Every list of a table that grows is one of ours.
    assert issubclass(changelist, KeyedChangeList) == isinstance(admin.site._registry[model], EstimatedCountMixin)
    if issubclass(changelist, KeyedChangeList):
        assert change_url not in resolved


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_search_and_every_filter_render(curator_client, records, model):
    response = curator_client.get(_url(model, "changelist"), {"q": "Kirby"})
    assert response.status_code == 200
    # Follow each filter's first choice: the filter's query must run, whatever it finds.
    for spec in response.context["cl"].filter_specs:
        choices = [choice for choice in spec.choices(response.context["cl"]) if not choice.get("selected")]
        if choices:
            url = _url(model, "changelist") + choices[0]["query_string"]
            assert curator_client.get(url).status_code == 200, spec.title


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_page_renders_for_a_curator(curator_client, rf, curator, model):
    request = rf.get("/")
    request.user = curator
    response = curator_client.get(_url(model, "add"))
    expected = 200 if admin.site._registry[model].has_add_permission(request) else 403
    assert response.status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_renders_for_a_curator(curator_client, records, model):
    record = _record(records, model)
    response = curator_client.get(_url(model, "change", record.pk), follow=True)
    assert response.status_code == 200
    assert str(record) in response.content.decode() or str(record.pk) in response.request["PATH_INFO"]


@pytest.mark.parametrize("model", WITH_HISTORY, ids=lambda model: model._meta.label)
def test_history_page_renders(curator_client, records, model):
    response = curator_client.get(_url(model, "history", _record(records, model).pk))
    assert response.status_code == 200


def test_actor_change_link_leads_to_the_person_page(curator_client, records):
    kim = records[Person]
    response = curator_client.get(_url(Actor, "change", kim.pk))
    assert response.status_code == 302
    assert response["Location"] == _url(Person, "change", kim.pk)


def test_actors_are_curated_as_people_and_organisations_not_on_the_index(curator_client, records):
    response = curator_client.get(reverse("admin:index"))
    assert _url(Person, "changelist") in response.content.decode()
    assert _url(Actor, "changelist") not in response.content.decode()


def test_search_by_an_alias_finds_the_person(curator_client, records):
    response = curator_client.get(_url(Person, "changelist"), {"q": "김일성"})
    assert list(response.context["cl"].result_list) == [records[Person]]
    assert "Michael Kirby" not in response.content.decode()


def test_search_matching_several_aliases_lists_the_person_once(curator_client, records):
    response = curator_client.get(_url(Person, "changelist"), {"q": "Kim"})
    assert list(response.context["cl"].result_list) == [records[Person]]


def test_report_search_finds_symbol_alias_and_author(curator_client, records):
    for term in ["A/HRC/25/63", "Kirby report", "Michael Donald Kirby"]:
        response = curator_client.get(_url(Report, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [records[Report]], term


def test_event_search_finds_a_participant_by_alias(curator_client, records):
    response = curator_client.get(_url(Event, "changelist"), {"q": "Michael Donald Kirby"})
    assert list(response.context["cl"].result_list) == [records[Event]]


def test_actor_autocomplete_finds_by_alias(curator_client, records):
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"term": "김일성", "app_label": "events", "model_name": "participant", "field_name": "actor"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(records[Person].pk), "text": "Kim Il-sung"}]


def test_membership_autocomplete_offers_only_people(curator_client, records):
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"term": "Commission", "app_label": "actors", "model_name": "membership", "field_name": "person"},
    )
    assert response.json()["results"] == []


def test_who_held_which_role_in_the_commission_of_inquiry(curator_client, records):
    coi = records[Organisation]
    other = factories.membership(role="Director")
    response = curator_client.get(_url(Membership, "changelist"), {"organisation__id__exact": coi.pk})
    page = response.content.decode()
    assert list(response.context["cl"].result_list) == [records[Membership]]
    assert "Michael Kirby" in page
    assert "Chair" in page
    # Partial dates show at the precision the source gave.
    assert "May 2013" in page
    assert "March 2014" in page
    assert str(other.person) not in page


def test_membership_added_without_slug_gets_one(curator_client, records):
    kim, coi = records[Person], records[Organisation]
    data = {"person": kim.pk, "organisation": coi.pk, "role": "Witness", "start": "2014", "end": ""}
    data |= {"rank": "normal", "status": "published", "slug": "", "note": "", "rank_reason": ""}
    data |= {"unsourced_reason": "Known to the curator; no stored source says so."}
    data |= _empty_management_form("citations")
    response = curator_client.post(_url(Membership, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(role="Witness")
    assert membership.slug.startswith("kim-il-sung-")
    assert str(membership.start) == "2014"


def _empty_management_form(prefix):
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def _change_form_data(response):
    """The POST data a browser would send for an unchanged admin change form."""
    data = {}

    def add(form):
        for bound_field in form:
            value = bound_field.value()
            if bound_field.field.disabled:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound_field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound_field.html_name] = [str(item) for item in value]
            else:
                data[bound_field.html_name] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_history_shows_who_changed_which_field(curator_client, curator, records):
    kim = records[Person]
    change_url = _url(Person, "change", kim.pk)
    data = _change_form_data(curator_client.get(change_url))
    data["description"] = "Founder of the DPRK."
    data["own_summary"] = "on"
    response = curator_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    history = curator_client.get(_url(Person, "history", kim.pk))
    assert history.status_code == 200
    page = history.content.decode()
    latest = history.context["page_obj"].object_list[0]
    assert latest.history_user == curator
    assert "Description" in {change["field"] for change in latest.history_delta_changes}
    assert "Founder of the DPRK." in page
    assert "curator" in page


def test_unpublish_action_is_kept_in_history(curator_client, curator, records):
    kim = records[Person]
    response = curator_client.post(
        _url(Person, "changelist"), {"action": "unpublish", "_selected_action": [kim.pk]}, follow=True
    )
    assert response.status_code == 200
    kim.refresh_from_db()
    assert kim.status == Status.DRAFT
    latest = Actor.history.filter(id=kim.pk).latest("history_date")
    assert latest.history_user == curator
    assert latest.status == Status.DRAFT


def _more_rows(records):
    """Three more rows for each list whose columns follow relations."""
    for number in range(3):
        person = factories.person(f"Person {number}", aliases=[f"Alias {number}"])
        organisation = factories.organisation(f"Organisation {number}", parent=records[Organisation])
        factories.membership(person, organisation, role="Member", start="2001")
        report = factories.report(f"Report {number}", publishers=[organisation], authors=[person], text="Person 1")
        factories.quote(person, source=report)
        event = factories.event(f"Event {number}", participants=[person, organisation])
        factories.mention(report, "Person", actor=person)
        Alias.objects.create(actor=organisation, name=f"Org alias {number}")
        Authorship.objects.create(report=report, organisation=organisation, byline="Desk", position=2)
        passage = {"source": records[Report], "passage": "chaired by Michael Kirby"}
        ReportCitation.objects.create(subject=report, **passage)
        EventCitation.objects.create(subject=event, **passage)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(curator_client, records, model):
    url = _url(model, "changelist")
    with CaptureQueriesContext(connection) as few:
        curator_client.get(url)
    _more_rows(records)
    with CaptureQueriesContext(connection) as more:
        response = curator_client.get(url)
    assert response.status_code == 200
    assert len(more) == len(few), [query["sql"] for query in more.captured_queries]


def test_list_columns_link_to_related_records(curator_client, records):
    kirby, coi = records[Membership].person, records[Organisation]
    pages = {
        Report: [_url(Person, "change", kirby.pk), _url(Organisation, "change", coi.pk)],
        Membership: [_url(Organisation, "change", coi.pk)],
        # Participants point at "an actor"; the link goes to the person's own page.
        Participant: [_url(Person, "change", kirby.pk), _url(Event, "change", records[Event].pk)],
        Mention: [_url(Person, "change", records[Person].pk), _url(Report, "change", records[Report].pk)],
    }
    for model, links in pages.items():
        page = curator_client.get(_url(model, "changelist")).content.decode()
        for link in links:
            assert f'href="{link}"' in page, (model, link)


def test_report_page_shows_its_events_and_mentions(curator_client, records):
    page = curator_client.get(_url(Report, "change", records[Report].pk)).content.decode()
    assert "Publication of the COI report" in page
    assert _url(Person, "change", records[Person].pk) in page


def test_report_text_edited_in_the_admin_is_saved_and_kept_in_history(curator_client, curator, records):
    # The report list defers the full text; the change form must still load and save it.
    report = records[Report]
    change_url = _url(Report, "change", report.pk)
    data = _change_form_data(curator_client.get(change_url))
    assert data["text"] == COI_TEXT
    data["text"] = COI_TEXT + " It called for a referral to the International Criminal Court."
    data["summary"] = "Crimes against humanity."
    data |= {"own_summary": "on", "unsourced_reason": "The report itself, not yet stored."}
    response = curator_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.text.endswith("International Criminal Court.")
    assert report.history.latest("history_date").history_user == curator
    assert report.citations.get().passage == "chaired by Michael Kirby"


def test_a_text_sent_with_a_browsers_line_endings_keeps_its_mentions(curator_client, records):
    """Browsers send a text area's lines ended by CR LF: the text is stored with LF, as ingest stores it, so
    the mentions after a line break still match it and the curator's edit is saved."""
    kirby = records[Membership].person
    report = factories.report("Two paragraphs", text="The inquiry reported.\n\nIt was chaired by Michael Kirby.")
    start = report.text.index("Michael Kirby")
    Mention.objects.create(report=report, start=start, end=start + 13, text="Michael Kirby", actor=kirby)
    change_url = _url(Report, "change", report.pk)
    data = _change_form_data(curator_client.get(change_url))
    data["text"] = data["text"].replace("\n", "\r\n")
    data["title"] = "Two paragraphs, edited"
    data |= {"unsourced_reason": "The report itself, not yet stored."}

    response = curator_client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.title == "Two paragraphs, edited"
    assert report.text == "The inquiry reported.\n\nIt was chaired by Michael Kirby."


def test_role_added_on_a_person_page_gets_a_slug_and_shows_on_the_organisation(curator_client, records):
    kim, coi = records[Person], records[Organisation]
    change_url = _url(Person, "change", kim.pk)
    data = _change_form_data(curator_client.get(change_url))
    row = int(data["memberships-TOTAL_FORMS"])
    data["memberships-TOTAL_FORMS"] = str(row + 1)
    data |= {f"memberships-{row}-{field}": value for field, value in [("organisation", coi.pk), ("role", "Subject")]}
    data |= {f"memberships-{row}-rank": "normal", f"memberships-{row}-status": "published"}
    data |= {f"memberships-{row}-start": "2014-02", f"memberships-{row}-slug": ""}
    data |= {f"memberships-{row}-unsourced_reason": "Known to the curator."}
    response = curator_client.post(change_url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    membership = Membership.objects.get(person=kim, role="Subject")
    assert membership.slug == f"{kim.slug}-subject-{coi.slug}"
    assert membership.start.display() == "February 2014"
    page = curator_client.get(_url(Organisation, "change", coi.pk)).content.decode()
    assert "Kim Il-sung — Subject" in page
