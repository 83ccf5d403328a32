"""Django's loaddata, made strict and idempotent for curated fixtures.

Every object is validated (``full_clean``) before it is saved, so a citation
whose passage is not in its source, a malformed partial date or a broken rule
stops the load with a message naming the object; loaddata's transaction then
leaves the database as it was. An object identical to the stored row is not
saved again, so loading the same fixtures twice changes nothing, timestamps
included.

Once every object is in, the publish rule (:mod:`hrkb.sourcing`) is checked on
the published records the fixtures hold — after the load, because citations
come in later files than the facts they support — and every record saved
it saved gets a history entry (:func:`hrkb.history.history_bulk_record`): its
first, "created", or "changed" when a stored record was updated, so the first
edit of a loaded record shows its diff and no load goes unrecorded.
"""

from collections import defaultdict
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from simple_history.models import HistoricalChanges

from hrkb import changelog, sourcing
from hrkb.history import history_bulk_record
from hrkb.models import CuratedModel

_TIMESTAMPS = {"created", "modified"}


def describe(instance) -> str:
    key = instance.natural_key() if hasattr(instance, "natural_key") else (instance.pk,)
    return f"{instance._meta.label_lower} {'/'.join(str(part) for part in key)}"


def _stored_unchanged(instance, m2m_data) -> bool:
    if instance.pk is None:
        return False
    model = type(instance)
    stored = model._base_manager.filter(pk=instance.pk).first()
    if stored is None:
        return False
    if isinstance(instance, HistoricalChanges):
        # Audit rows never change once written (and JSON keeps only milliseconds of their dates).
        return True
    if isinstance(instance, CuratedModel):
        # Fixtures written by hand carry no timestamps; keep the stored ones.
        instance.created = stored.created
    for field in model._meta.concrete_fields:
        if field.name in _TIMESTAMPS:
            continue
        if field.value_from_object(instance) != field.value_from_object(stored):
            return False
    for name, values in (m2m_data or {}).items():
        field = model._meta.get_field(name)
        stored_pks = set(getattr(stored, name).values_list("pk", flat=True))
        if {field.related_model._meta.pk.to_python(value) for value in values} != stored_pks:
            return False
    return True


class Command(loaddata.Command):
    help = loaddata.Command.help + (
        " Objects are validated first; unchanged objects are left alone; published records must meet the"
        " publish rule; records saved without history get their first entry."
    )

    def loaddata(self, fixture_labels):
        # model -> {pk: fixture file}: what the fixtures hold, and what this load saved.
        self.held: dict[type, dict] = defaultdict(dict)
        self.saved: dict[type, set] = defaultdict(set)
        # Models whose history rows the fixtures carry (a dump with history): that history stands. By model, not
        # by record: a dump with natural keys gives records new ids, while their history rows keep the old ones.
        self.history_held: set[type] = set()
        self.flagged: list = []
        self.loaded_stamps: list[CuratedModel] = []
        try:
            super().loaddata(fixture_labels)
        finally:
            for instance in self.flagged:
                del instance.skip_history_when_saving
        # Records loaded here keep the ``modified`` their fixture gives (or the load's), so a dump loads back as
        # it was; records only touched by the rows loaded keep the new time (see hrkb/changelog.py).
        changelog.restore_modified(self.loaded_stamps, using=self.using)
        self.check_publish_rule()
        for model, pks in self.saved.items():
            if model in self.history_held:
                continue
            files = sorted({Path(path).name for pk in pks for path in self.held[model][pk].split(", ")})
            history_bulk_record(model, pks, reason=f"Loaded from {', '.join(files)}")

    def load_label(self, fixture_label):
        self.current_files = [path for path, _, _ in self.find_fixtures(fixture_label)]
        try:
            return super().load_label(fixture_label)
        except DeserializationError as error:
            # Django's message already names the file, the model and the value; spare the traceback.
            raise CommandError(str(error)) from error

    def fail(self, instance, problem: str):
        where = ", ".join(self.current_files)
        raise CommandError(f"Problem installing fixture {where}: {describe(instance)}: {problem}")

    def save_obj(self, obj):
        instance = obj.object
        # Audit rows from django-simple-history are not curated records.
        if not isinstance(instance, HistoricalChanges):
            self.check_references(obj)
            try:
                instance.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                self.fail(
                    instance,
                    "; ".join(
                        f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
                        for field, messages in error.message_dict.items()
                    ),
                )
        model = instance._meta.concrete_model
        if isinstance(instance, HistoricalChanges) and hasattr(instance, "instance_type"):
            self.history_held.add(instance.instance_type._meta.concrete_model)
        if _stored_unchanged(instance, obj.m2m_data):
            self.held[model][instance.pk] = ", ".join(self.current_files)
            return False
        # Raw saves record no history, but setting many-to-many values would, one entry per field (and
        # loaddata sets forward references after every object is in): the load is recorded once, at its
        # end, with every value (see loaddata()), so the flag stays until then.
        instance.skip_history_when_saving = True
        self.flagged.append(instance)
        saved = super().save_obj(obj)
        if saved and not isinstance(instance, HistoricalChanges):
            self.held[model][instance.pk] = ", ".join(self.current_files)
            self.saved[model].add(instance.pk)
        if saved and isinstance(instance, CuratedModel):
            self.loaded_stamps.append(instance)
        return saved

    def check_publish_rule(self):
        """Refuse the load when a published record it holds lacks a source, naming the file, record and fact."""
        problems = []
        for model, held in self.held.items():
            if not sourcing.governed(model):
                continue
            for record in model._base_manager.filter(sourcing.unmet_q(model), pk__in=list(held)).order_by("pk"):
                lines = sourcing.unmet(record)
                problems.append(
                    f"{held[record.pk]}: {describe(record)}: published without a source for {'; '.join(lines)}"
                )
        if problems:
            raise CommandError("Problem installing fixtures: the publish rule is not met:\n  " + "\n  ".join(problems))

    def check_references(self, obj):
        """Refuse references to records that do not exist, naming the key.

        Django defers unresolved natural keys in case the record comes later
        in the fixtures, but a required foreign key cannot be saved empty.
        """
        for field, key in (obj.deferred_fields or {}).items():
            if not field.null and not field.many_to_many:
                target = field.related_model._meta.verbose_name
                self.fail(
                    obj.object,
                    f"{field.name}: no {target} with key {key!r} is stored or listed earlier in the fixtures.",
                )
