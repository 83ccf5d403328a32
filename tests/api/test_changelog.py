"""The change log's triggers are installed as derived, cover every table a record shows, and come back."""

import datetime

import pytest
from django.db import connection

from hrkb import changelog
from hrkb.models import Change
from hrkb.public_types import PUBLIC_TYPES
from tests import factories


def derived_names() -> set[str]:
    return {trigger.name for trigger in changelog.triggers(connection.schema_editor(atomic=False))}


def test_the_installed_triggers_are_the_derived_ones(db):
    assert set(changelog.installed()) == derived_names()


def test_every_public_table_and_every_table_a_record_shows_is_watched(db):
    watched = set(changelog.installed().values())
    for public_type in PUBLIC_TYPES:
        assert public_type.model._meta.db_table in watched, public_type.name
    from actors.models import Alias, Membership
    from events.models import Participant
    from reports.models import Authorship, Report
    from sources.models import EventCitation, MembershipCitation, Mention, ParticipantCitation, ReportCitation

    for model in (
        Alias,
        Membership,
        Participant,
        Authorship,
        Mention,
        ReportCitation,
        MembershipCitation,
        EventCitation,
        ParticipantCitation,
        Report.publishers.through,
        Report.topics.through,
        Report.references.through,
    ):
        assert model._meta.db_table in {name.strip('"') for name in watched}, model.__name__


def test_install_restores_a_dropped_trigger_and_drops_stale_ones(db):
    name, table = next(iter(changelog.installed().items()))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON {table}")
            cursor.execute(
                "CREATE FUNCTION hrkb_chg_stale() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
            )
            cursor.execute(f"CREATE TRIGGER hrkb_chg_stale AFTER INSERT ON {table} EXECUTE FUNCTION hrkb_chg_stale()")
        else:
            cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(f"CREATE TRIGGER hrkb_chg_stale AFTER INSERT ON {table} BEGIN SELECT 1; END")
    assert name not in changelog.installed()
    changelog.install()
    assert set(changelog.installed()) == derived_names()


def test_a_write_commits_with_its_log_entry_or_not_at_all(db):
    from django.db import transaction

    before = Change.objects.count()
    try:
        with transaction.atomic():
            factories.topic("Rolled back", slug="rolled-back")
            assert Change.objects.filter(slug="rolled-back").exists()
            raise RuntimeError
    except RuntimeError:
        pass
    assert Change.objects.count() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps times as text")
@pytest.mark.parametrize(
    "moment", [datetime.datetime(2026, 12, 4, 4, 5, 0), datetime.datetime(2026, 12, 4, 4, 5, 0, 123000)]
)
def test_a_trigger_spells_a_time_as_django_does(moment, db):
    """With a whole second, Django writes no fraction; a trigger writing '.000000' would sort after it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {changelog.sqlite_time(repr(moment.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]))}")
        spelt = cursor.fetchone()[0]
    assert spelt == connection.ops.adapt_datetimefield_value(moment.replace(tzinfo=datetime.UTC))
