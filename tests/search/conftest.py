"""The records the search specification names, on top of the curated corpus.

Until the curated corpus (fixtures/) holds them, the articles and people the
search tests need are built here from the source texts; once it does, the
corpus's own records are used and nothing is added.
"""

from pathlib import Path

import pytest

from actors.models import Actor, Person
from reports.models import Report
from tests import factories

SOURCE = Path("/work/shared/sources/csw-north-korea-articles.txt")
DAY_OF_THE_SUN = "From the Darkness into the Light: the Hope for Justice in North Korea"
SUMMIT = "Human Rights Must be Included in Talks to Ensure True Peace in North Korea"
# A word no published record contains, given to the hidden ones.
SECRET = "hushword"


def _article(title: str, next_title: str | None) -> str:
    """The text of one article of the sources file: from its title to the next one's."""
    text = SOURCE.read_text() if SOURCE.exists() else ""
    start = text.find(title)
    if start < 0:
        return ""
    end = text.find(next_title, start + len(title)) if next_title else -1
    return text[start + len(title) : end if end > 0 else None].strip()


def _report(title: str, text: str, **fields) -> Report:
    return Report.objects.filter(title__iexact=title).first() or factories.report(title, text=text, **fields)


def _person(name: str, *, aliases=(), **fields) -> Actor:
    existing = Person.objects.filter(name__iexact=name).first()
    return existing or factories.person(name, aliases=aliases, **fields)


@pytest.fixture
def search_corpus(corpus):
    """The corpus, plus what the search tests need and hidden records that must never be found."""
    sun_text = _article(DAY_OF_THE_SUN, "By CSW’s North Korea Desk Officer") or (
        "15 April is the Day of the Sun in North Korea. The songbun and prison camp systems are key features. "
        "Songbun classifies North Korean citizens into three classes."
    )
    summit_text = _article(SUMMIT, "Religious persecution takes many forms") or (
        "For as Soviet dissident Andrei Sakharov said during his 1975 Nobel Peace Prize lecture, "
        "international confidence is inconceivable without an open society."
    )
    records = {
        "day_of_the_sun": _report(
            DAY_OF_THE_SUN,
            sun_text,
            kind="article",
            summary="On the Day of the Sun, the regime Kim Il-sung founded and the hope of justice.",
        ),
        "summit": _report(SUMMIT, summit_text, kind="article"),
        "darusman": _person(
            "Marzuki Darusman", description="UN Special Rapporteur on human rights in North Korea (2010–2016)."
        ),
        "kim": _person("Kim Jong-un", aliases=["Kim Jong-Un", "김정은"], description="Supreme Leader of North Korea."),
        "sakharov": _person("Andrei Sakharov", description="Soviet physicist and dissident."),
    }
    records["draft"] = factories.report(
        f"Draft notes on {SECRET}", text=f"{SECRET} songbun Darusman", status="draft", kind="report"
    )
    records["restricted"] = factories.report(
        f"Witness statement {SECRET}", text=f"{SECRET} songbun songbun", restricted=True, kind="report"
    )
    records["witness"] = factories.person(f"Witness {SECRET.title()}", restricted=True)
    records["witness_quote"] = factories.quote(records["witness"], text=f"What I saw, {SECRET}.")
    return records


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path):
    # WhiteNoise warns (an error under filterwarnings) when STATIC_ROOT was never collected.
    settings.STATIC_ROOT = tmp_path
