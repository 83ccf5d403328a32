"""Django's loaddata, made strict and idempotent for curated fixtures.

Every object is validated (``full_clean``) before it is saved, so a citation
whose passage is not in its source, a malformed partial date or a broken rule
stops the load with a message naming the object; loaddata's transaction then
leaves the database as it was. An object identical to the stored row is not
saved again, so loading the same fixtures twice changes nothing, timestamps
included.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from simple_history.models import HistoricalChanges

from hrkb import changelog
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
    help = loaddata.Command.help + " Objects are validated first; unchanged objects are left alone."

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
        if _stored_unchanged(instance, obj.m2m_data):
            return False
        saved = super().save_obj(obj)
        if saved and isinstance(instance, CuratedModel):
            self.loaded_stamps.append(instance)
        return saved

    def loaddata(self, fixture_labels):
        self.loaded_stamps = []
        super().loaddata(fixture_labels)
        self.restore_modified()

    def restore_modified(self):
        """Records loaded here keep the ``modified`` their fixture gives (or the load's), so a dump loads back
        as it was; records only touched by the rows loaded keep the new time (see hrkb/changelog.py)."""
        changelog.restore_modified(self.loaded_stamps, using=self.using)

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
