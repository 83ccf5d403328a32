"""Search documents stay current however a record is written: save, loaddata, alias edits, bulk writes."""

import json

import pytest
from django.core.management import call_command

from actors.models import Actor, Alias, Person
from hrkb.search import schema, search_all, search_queryset
from reports.models import Quote, Report
from tests import factories


def _found(model, query):
    return list(search_queryset(model.objects.all(), query).values_list("slug", flat=True))


def test_a_saved_edit_is_found_and_the_old_words_are_not(db):
    report = factories.report("Famine", text="The famine of the 1990s.")
    report.text = "The arduous march."
    report.save()
    assert _found(Report, "arduous") == [report.slug]
    assert _found(Report, "famine") == [report.slug]  # still in the title
    report.title = "March"
    report.save()
    assert _found(Report, "famine") == []


def test_loaddata_keeps_documents_current(db, tmp_path):
    fixture = tmp_path / "people.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "actors.person",
                    "fields": {
                        "slug": "tomas-ojea-quintana",
                        "kind": "person",
                        "name": "Tomás Ojea Quintana",
                        "status": "published",
                    },
                },
                {
                    "model": "actors.alias",
                    "fields": {"actor": ["tomas-ojea-quintana"], "name": "Ojea Quintana", "kind": "spelling"},
                },
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert _found(Person, "tomas") == ["tomas-ojea-quintana"]
    assert [hit.slug for hit in search_all("Quintanna", types=["person"])] == ["tomas-ojea-quintana"]


def test_alias_edits_change_what_finds_the_actor(db):
    person = factories.person("Kim Il-sung")
    alias = Alias.objects.create(actor=person, name="Eternal President")
    assert _found(Person, "eternal") == [person.slug]
    alias.name = "Great Leader"
    alias.save()
    assert _found(Person, "eternal") == []
    assert _found(Person, "leader") == [person.slug]
    alias.delete()
    assert _found(Person, "leader") == []
    assert _found(Person, "sung") == [person.slug]


def test_bulk_inserts_and_queryset_updates_are_indexed(db):
    Report.objects.bulk_create(
        [Report(slug=f"bulk-{number}", title=f"Bulk {number}", kind="report", text="kwanliso") for number in range(3)]
    )
    assert sorted(_found(Report, "kwanliso")) == ["bulk-0", "bulk-1", "bulk-2"]
    Report.objects.filter(slug="bulk-0").update(text="nothing")
    assert sorted(_found(Report, "kwanliso")) == ["bulk-1", "bulk-2"]
    Alias.objects.bulk_create([Alias(actor=factories.person("Ri Sol-ju"), name="Comrade Ri")])
    assert len(_found(Person, "comrade")) == 1


def test_renaming_a_speaker_updates_the_quotes_document(db):
    speaker = factories.person("Hwang Jang-yop")
    quote = factories.quote(speaker, text="Words about the Juche idea.")
    Actor.objects.filter(pk=speaker.pk).update(name="Hwang Jang Yop the Defector")
    assert _found(Quote, "defector") == [quote.slug]


def test_deleted_records_are_gone_from_search(db):
    person = factories.person("Choe Ryong-hae", aliases=["Choe"])
    person.delete()
    assert _found(Person, "choe") == []
    assert search_all("Choe Ryong-hae") == []


@pytest.mark.django_db(transaction=True)
def test_rebuild_is_idempotent_and_refills_every_document(transactional_db):
    report = factories.report("Rebuilt", text="juche")
    schema.rebuild()
    schema.rebuild()
    assert _found(Report, "juche") == [report.slug]
    report.text = "songun"
    report.save()
    assert _found(Report, "songun") == [report.slug]
