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


# Two CSW articles, one naming Kim Il-sung: the ingest tests' source file (the `source` fixture).
TWO_ARTICLES = """
---
title: Human Rights Must be Included in Talks to Ensure True Peace in North Korea
date: 2018-06-20
publisher: CSW
author: Benedict Rogers
url: https://www.csw.org.uk/2018/06/20/talks
---
Human Rights Must be Included in Talks to Ensure True Peace in North Korea

Statue of Kim II Sung

Christian Solidarity Worldwide has documented the crisis. By Benedict Rogers.
---
title: North Korea and Human Rights: A State of Denial
kind: statement
date: 2016-04
publisher: csw
byline: CSW’s North Korea Desk Officer
---
North Korea and Human Rights: A State of Denial

As we said in Human Rights Must be Included in Talks to Ensure True Peace in North Korea, Kim Il-Sung …
"""
