"""The curated corpus, plus hidden records that search must never reveal."""

import pytest

from actors.models import Person
from reports.models import Quote, Report
from tests import factories

DAY_OF_THE_SUN = "From the Darkness into the Light: the Hope for Justice in North Korea"
SUMMIT = "Human Rights Must be Included in Talks to Ensure True Peace in North Korea"
# A word no published record contains, given to the hidden ones.
SECRET = "hushword"


@pytest.fixture
def search_corpus(corpus):
    """The corpus records the search specification names, and drafts and restricted records sharing its words."""
    records = {
        "day_of_the_sun": Report.objects.get(title=DAY_OF_THE_SUN),
        "summit": Report.objects.get(title=SUMMIT),
        "darusman": Person.objects.get(name="Marzuki Darusman"),
        "kim": Person.objects.get(name="Kim Jong-un"),
        "sakharov": Person.objects.get(name="Andrei Sakharov"),
    }
    records["sakharov_quote"] = Quote.objects.get(speaker=records["sakharov"])
    records["draft"] = factories.report(
        f"Draft notes on {SECRET}", text=f"{SECRET} songbun Darusman", status="draft", kind="report"
    )
    records["restricted"] = factories.report(
        f"Witness statement {SECRET}", text=f"{SECRET} songbun songbun", restricted=True, kind="report"
    )
    records["witness"] = factories.person(f"Witness {SECRET.title()}", restricted=True)
    records["witness_quote"] = factories.quote(records["witness"], text=f"What I saw, {SECRET}.")
    return records


@pytest.fixture
def facet_corpus(db):
    """Famine in reports, events, quotes, people and organisations of every kind, year, country and topic,
    with drafts and restricted records (and topics) among them."""
    topics = {
        name: factories.topic(name.title(), slug=name, **fields)
        for name, fields in [
            ("food", {}),
            ("camps", {}),
            ("draft-topic", {"status": "draft"}),
            ("restricted-topic", {"restricted": True}),
        ]
    }
    reports = [
        ("Famine of 1996", {"kind": "report", "published": "1996"}, ["food"]),
        ("Famine report", {"kind": "report", "published": "2014-02"}, ["food", "camps"]),
        ("Famine statement", {"kind": "statement", "published": "2014-02-17"}, ["draft-topic"]),
        ("Famine letter", {"kind": "open_letter", "published": "2015"}, ["restricted-topic", "camps"]),
        ("Famine resolution", {"kind": "resolution"}, []),
        ("Famine draft", {"kind": "book", "published": "1999", "status": "draft"}, ["food"]),
        ("Famine restricted", {"kind": "resolution", "published": "2014", "restricted": True}, ["camps"]),
    ]
    for title, fields, topic_names in reports:
        factories.report(title, text="Reports of famine.", topics=[topics[name] for name in topic_names], **fields)
    events = [
        ("Famine summit", {"kind": "summit", "start": "2014-06", "country": "KP"}, ["food"]),
        ("Famine hearing", {"kind": "hearing", "start": "2018-03-01", "country": "SG"}, []),
        ("Famine resolution vote", {"kind": "resolution", "country": ""}, ["restricted-topic"]),
        ("Famine visit", {"kind": "visit", "start": "2014", "country": "CN", "restricted": True}, ["food"]),
        ("Famine draft event", {"kind": "visit", "start": "2001", "country": "CN", "status": "draft"}, []),
    ]
    for title, fields, topic_names in events:
        event = factories.event(title, description="About the famine.", **fields)
        event.topics.set([topics[name] for name in topic_names])
    expert = factories.person("Famine Expert", description="Writes on famine.")
    secret = factories.person("Secret Witness", description="Saw the famine.", restricted=True)
    factories.organisation("Famine Watch", organisation_kind="ngo", description="Famine monitoring.")
    factories.organisation("Famine Council", organisation_kind="un_body", status="draft")
    factories.quote(expert, text="The famine was man-made.", said="2014-03")
    factories.quote(expert, text="Famine again.")
    factories.quote(secret, text="I saw the famine.", said="1997")
    factories.report("Unrelated", text="Nothing to see.", kind="book", published="2014")
    return topics
