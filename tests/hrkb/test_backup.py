"""Backups restore: after deletions and merges, into an empty database, and a second backup is identical."""

import gzip

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from actors.models import Actor, Person
from actors.services import actor_merge
from hrkb.models import PartnerKey, SlugRedirect
from hrkb.search.engine import search_all
from reports.models import Report
from sources.models import MembershipCitation
from tests import factories

TEXT = "Michael Kirby chaired the Commission of Inquiry; Kim Jong Eun did not answer."


def test_delete_merge_back_up_restore_into_an_empty_database_back_up_again_identical(
    transactional_db, curator, tmp_path
):
    coi = factories.organisation("Commission of Inquiry", slug="coi")
    kirby = factories.person("Michael Kirby", slug="michael-kirby")
    chair = factories.membership(kirby, coi, role="Chair", start="2013")
    source = factories.report("Article", slug="article", text=TEXT, publishers=[coi])
    MembershipCitation.objects.create(subject=chair, source=source, passage="Michael Kirby chaired")
    survivor = factories.person("Kim Jong-un", slug="kim-jong-un")
    duplicate = factories.person("Kim Jong Eun", slug="kim-jong-eun")
    factories.mention(source, "Kim Jong Eun", actor=duplicate)
    factories.membership(duplicate, coi, role="Addressee")
    doomed = factories.person("Someone Deleted", slug="someone-deleted")
    factories.membership(doomed, coi, role="Witness")
    key = PartnerKey(name="Sync", organisation=coi)
    key.set_new_secret()
    key.save()
    # History now names records that will be gone: a deleted person and a merged one.
    doomed.delete()
    actor_merge(survivor=survivor, duplicate=duplicate, user=curator)
    first, second = tmp_path / "first.json.gz", tmp_path / "second.json.gz"

    call_command("backup", str(first), verbosity=0)
    call_command("flush", "--no-input", verbosity=0)  # an empty database (migrate's content types come back)
    assert not Actor.objects.exists()
    call_command("restore", str(first), verbosity=0)
    call_command("backup", str(second), verbosity=0)

    assert gzip.decompress(first.read_bytes()) == gzip.decompress(second.read_bytes())
    assert Person.history.filter(slug="someone-deleted", history_type="-").exists()
    assert SlugRedirect.objects.resolve(Person, "kim-jong-eun") == "kim-jong-un"
    assert PartnerKey.objects.get_by_natural_key(key.prefix).organisation.slug == "coi"
    assert Report.objects.get(slug="article").mentions.get().actor.slug == "kim-jong-un"
    # The search documents are rebuilt by the database as the rows go back in.
    assert [hit.slug for hit in search_all("Kirby", types=["person"])] == ["michael-kirby"]


def test_restore_refuses_a_database_that_holds_records(db, tmp_path):
    factories.person("Anyone")
    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), verbosity=0)


def test_partner_keys_have_natural_keys(db):
    key = PartnerKey(name="Sync", organisation=factories.organisation("NGO"))
    key.set_new_secret()
    key.save()
    assert PartnerKey.objects.get_by_natural_key(*key.natural_key()) == key
