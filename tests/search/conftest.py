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
