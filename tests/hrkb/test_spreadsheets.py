"""Spreadsheets: any filtered admin list exported as CSV and XLSX; sheets imported with a row-by-row dry run."""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from actors.models import Alias, Membership, Person
from hrkb.models import Status
from sources.models import MembershipCitation
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = "Michael Kirby chaired the Commission of Inquiry in 2013; Marzuki Darusman was a member."


def export(client, model_admin_url: str, query: str, file_format: str) -> bytes:
    """Press Export on a (filtered) list and download the file, every column ticked, as a curator would."""
    page = client.get(f"{model_admin_url}export/{query}")
    assert page.status_code == 200
    html = page.content.decode()
    formats = {label: value for value, label in re.findall(r'<option value="(\d+)">([A-Za-z]+)</option>', html)}
    ticked = dict.fromkeys(re.findall(r'type="checkbox" name="([^"]+)"', html), "on")
    response = client.post(
        f"{model_admin_url}export/{query}", {"format": formats[file_format], "resource": "0", **ticked}
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_a_filtered_list_exports_as_csv_and_xlsx_with_slugs_and_urls(curator_client):
    coi = factories.organisation("Commission of Inquiry", slug="coi")
    kirby = factories.person("Michael Kirby", slug="michael-kirby", aliases=["Justice Kirby"])
    factories.membership(kirby, coi, role="Chair", start="2013-05", slug="kirby-chair")
    factories.person("Someone Else", status="draft")
    people = reverse("admin:actors_person_changelist")

    rows = list(csv.DictReader(io.StringIO(export(curator_client, people, "?q=Kirby", "csv").decode("utf-8-sig"))))
    assert [row["slug"] for row in rows] == ["michael-kirby"]
    assert rows[0]["api_url"] == "/api/v1/people/michael-kirby/"
    assert rows[0]["admin_url"] == reverse("admin:actors_person_change", args=[kirby.pk])

    memberships = reverse("admin:actors_membership_changelist")
    content = export(curator_client, memberships, f"?organisation__id__exact={coi.pk}", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *values = [list(row) for row in sheet.iter_rows(values_only=True)]
    row = dict(zip(header, values[0], strict=True))
    assert (row["person"], row["organisation"], row["start"], row["slug"]) == (
        "michael-kirby",
        "coi",
        "2013-05",
        "kirby-chair",
    )


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_in_the_admin_previews_row_by_row_then_applies_with_history(curator, curator_client, tmp_path):
    factories.person("Michael Kirby", slug="michael-kirby", description="Judge.", own_summary=True)
    factories.person("Marzuki Darusman", slug="marzuki-darusman", own_summary=True)
    rows = [
        {"slug": "michael-kirby", "name": "Michael Kirby", "description": "Australian judge.", "own_summary": "1"},
        {"slug": "marzuki-darusman", "name": "Marzuki Darusman", "description": "", "own_summary": "1"},
        {"slug": "kim-yong-hwa", "name": "Kim Yong-hwa", "description": "", "own_summary": "0"},
    ]
    path = write_csv(tmp_path / "people.csv", rows)
    url = reverse("admin:actors_person_import")
    with path.open("rb") as file:
        preview = curator_client.post(url, {"resource": "0", "format": "0", "import_file": file})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Preview" in page
    assert "New" in page and "Update" in page and "Skip" in page
    assert "<ins" in page and "Australian" in page  # the changed value, in the diff
    assert Person.objects.get(slug="michael-kirby").description == "Judge."  # nothing applied yet
    confirm = {
        name: value
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }
    done = curator_client.post(reverse("admin:actors_person_process_import"), confirm)
    assert done.status_code == 302
    kirby = Person.objects.get(slug="michael-kirby")
    assert kirby.description == "Australian judge."
    added = Person.objects.get(slug="kim-yong-hwa")
    assert added.status == Status.DRAFT  # new records start as drafts
    created = added.history.get()
    assert created.history_type == "+" and created.history_user == curator
    assert kirby.history.first().history_user == curator


def test_an_import_with_a_bad_row_names_row_and_column_and_imports_nothing(tmp_path):
    factories.person("Michael Kirby", slug="michael-kirby")
    factories.organisation("Commission of Inquiry", slug="coi")
    rows = [
        {"person": "michael-kirby", "role": "Chair", "organisation": "coi", "start": "2013", "status": "draft"},
        {
            "person": "michael-kirby",
            "role": "Member",
            "organisation": "no-such-body",
            "start": "2013",
            "status": "draft",
        },
        {"person": "michael-kirby", "role": "Witness", "organisation": "coi", "start": "2013-13", "status": "draft"},
        {"person": "michael-kirby", "role": "Rapporteur", "organisation": "coi", "start": "", "status": "published"},
    ]
    path = write_csv(tmp_path / "memberships.csv", rows)
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_records", "memberships", str(path), stdout=out)
    lines = out.getvalue()
    assert "row 2: new: Michael Kirby — Chair, Commission of Inquiry" in lines
    assert "row 3: error in column organisation: no organisation has the slug 'no-such-body'" in lines
    assert "row 4: error in column start: '2013-13' is not a valid date" in lines
    assert "row 5: error in column status: cannot be published without a source for the membership" in lines
    assert not Membership.objects.exists()


def test_citations_import_by_slug_and_passage_and_a_second_import_changes_nothing(tmp_path, curator):
    kirby = factories.person("Michael Kirby", slug="michael-kirby")
    coi = factories.organisation("Commission of Inquiry", slug="coi")
    factories.report("Article", slug="article", text=TEXT)
    memberships = write_csv(
        tmp_path / "memberships.csv",
        [{"person": "michael-kirby", "role": "Chair", "organisation": "coi", "slug": "", "status": "draft"}],
    )
    citations = write_csv(
        tmp_path / "citations.csv",
        [
            {
                "subject": "michael-kirby-chair-coi",
                "source": "article",
                "passage": "Michael Kirby chaired the Commission of Inquiry",
                "claim": "role",
                "confidence": "high",
                "rank": "normal",
            }
        ],
    )
    call_command("import_records", "memberships", str(memberships), "--user", "curator", stdout=io.StringIO())
    call_command("import_records", "citations-membership", str(citations), "--user", "curator", stdout=io.StringIO())
    citation = MembershipCitation.objects.get()
    assert citation.subject == Membership.objects.get(person=kirby, organisation=coi)
    assert (citation.start, citation.end) == (0, len("Michael Kirby chaired the Commission of Inquiry"))
    assert citation.history.get().history_user == curator
    assert citation.history.get().history_change_reason == "Imported from citations.csv"
    # Now sourced, the membership can be published by a sheet too.
    published = write_csv(
        tmp_path / "memberships.csv",
        [{"person": "michael-kirby", "role": "Chair", "organisation": "coi", "slug": "", "status": "published"}],
    )
    call_command("import_records", "memberships", str(published), stdout=io.StringIO())
    assert Membership.objects.get().status == Status.PUBLISHED
    for sheet, path in [("memberships", published), ("citations-membership", citations)]:
        out = io.StringIO()
        call_command("import_records", sheet, str(path), stdout=out)
        assert "0 new, 0 changed, 1 unchanged, 0 with errors" in out.getvalue()
    assert Membership.objects.get().history.count() == 2


def test_a_passage_not_in_its_source_is_an_error_in_the_passage_column(tmp_path):
    membership = factories.membership(slug="the-role", status="draft")
    factories.report("Article", slug="article", text=TEXT)
    path = write_csv(
        tmp_path / "citations.csv",
        [{"subject": membership.slug, "source": "article", "passage": "chaired the inquiry in 2014"}],
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_records", "citations-membership", str(path), stdout=out)
    assert "row 2: error in column passage:" in out.getvalue()
    assert "chaired the inquiry in 2014" in out.getvalue()


def test_aliases_and_participants_import_by_natural_keys(tmp_path):
    kim = factories.person("Kim Il-sung", slug="kim-il-sung")
    event = factories.event("Day of the Sun", slug="day-of-the-sun", status="draft")
    aliases = write_csv(
        tmp_path / "aliases.csv", [{"actor": "kim-il-sung", "name": "김일성", "kind": "native", "language": "ko"}]
    )
    call_command("import_records", "aliases", str(aliases), stdout=io.StringIO())
    assert Alias.objects.get(actor=kim).name == "김일성"
    participants = write_csv(
        tmp_path / "participants.csv", [{"event": "day-of-the-sun", "actor": "kim-il-sung", "role": "subject"}]
    )
    call_command("import_records", "participants", str(participants), stdout=io.StringIO())
    assert event.participants.get().actor == kim
    out = io.StringIO()
    call_command("export_records", "participants", str(tmp_path / "out.csv"), stdout=out)
    assert "day-of-the-sun,kim-il-sung,subject" in (tmp_path / "out.csv").read_text()


def test_a_cell_whose_lines_end_with_cr_lf_imports_as_stored_texts_read(tmp_path):
    kirby = factories.person(
        "Michael Kirby", slug="michael-kirby", description="Australian judge.\nChair of the inquiry.", own_summary=True
    )
    book = openpyxl.Workbook()
    book.active.append(["slug", "name", "description", "own_summary"])
    book.active.append(["michael-kirby", "Michael Kirby", "Australian judge.\r\nChair of the inquiry.", "1"])
    book.active.append(["kim-yong-hwa", "Kim Yong-hwa", "Born 1950.\rDefected 1988.", "1"])
    buffer = io.BytesIO()
    book.save(buffer)
    # As a spreadsheet program may write them: each CR in a cell as a character reference in the sheet's XML
    # (openpyxl writes the CR itself, which XML reads back as a line's end).
    with zipfile.ZipFile(buffer) as written:
        parts = {name: written.read(name) for name in written.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"\r", b"&#13;")
    path = tmp_path / "people.xlsx"
    with zipfile.ZipFile(path, "w") as sheet:
        for name, data in parts.items():
            sheet.writestr(name, data)
    assert openpyxl.load_workbook(path).active["C2"].value == "Australian judge.\r\nChair of the inquiry."
    out = io.StringIO()
    call_command("import_records", "people", str(path), stdout=out)
    assert "1 new, 0 changed, 1 unchanged, 0 with errors" in out.getvalue()
    assert Person.objects.get(slug="kim-yong-hwa").description == "Born 1950.\nDefected 1988."
    kirby.refresh_from_db()
    assert kirby.description == "Australian judge.\nChair of the inquiry."
    assert kirby.history.count() == 1  # unchanged: not saved again
