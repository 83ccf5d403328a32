"""Running the ingest command and counting every table's rows, for the ingest tests."""

import io

from django.apps import apps
from django.core.management import call_command


def ingest(*paths, verbosity=1) -> str:
    out = io.StringIO()
    call_command(
        "ingest_sources", *[str(path) for path in paths], stdout=out, stderr=io.StringIO(), verbosity=verbosity
    )
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}
