"""Fixtures for the admin tests."""

import pytest
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def static_root(tmp_path_factory):
    """An existing STATIC_ROOT, so WhiteNoise does not warn about a missing one.

    A fresh checkout has no collected static files, and WhiteNoise warns when
    the directory is missing, which `filterwarnings = error` turns into a
    failure of every request. Session-scoped so that it also holds for the
    live server, which loads its middleware once.
    """
    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static"))):
        yield
