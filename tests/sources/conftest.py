"""Fixtures for the ingest tests: the publisher and author the sources name, and source files in tmp_path."""

import textwrap

import pytest

from tests import factories

from .helpers import TWO_ARTICLES


@pytest.fixture
def csw(db):
    return factories.organisation("CSW", slug="csw", aliases=["Christian Solidarity Worldwide"])


@pytest.fixture
def rogers(db):
    return factories.person("Benedict Rogers", slug="benedict-rogers")


@pytest.fixture
def write(tmp_path):
    """Write a source file (dedented) and return its path."""

    def write(name: str, text: str, *, encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
        return path

    return write


@pytest.fixture
def kim(db):
    return factories.person("Kim Il-sung", slug="kim-il-sung", aliases=["Kim II Sung", "김일성"])


@pytest.fixture
def source(write, csw, rogers, kim):
    return write("articles.txt", TWO_ARTICLES)
