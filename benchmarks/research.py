"""The research views and every admin list at 100,000 synthetic reports on PostgreSQL (a script, not a test).

    .venv/bin/python benchmarks/research.py                     # hrkb_workbench_bench_100k on the local server
    DATABASE_URL=postgres://root@127.0.0.1:5432/hrkb_bench .venv/bin/python benchmarks/research.py --repeat 5

The database is filled beforehand by ``benchmarks/generate_synthetic.py --reports
100000 --force`` (an empty one is migrated and filled here, which takes a
while). Settings are production's (DEBUG off), and so is the process (hrkb.wsgi: views imported, start-up's
objects frozen out of the garbage collector's walks). Each page is fetched through
Django's test client as a superuser, once to warm caches and then ``--repeat``
times; the table gives the median and the worst time, the query count, and
the CPU time the page cost (median): this process's own, plus the PostgreSQL
backend's (read from /proc/<pid>/schedstat when the server runs on this
machine). Other work on a shared machine stretches the wall times, not the CPU
times: the contention line (a fixed loop's wall time over its CPU time) says by
how much, so a figure can be read as it would be on an idle machine.
Pages: every research view for the busiest records (the actor, organisation,
report and event named in the most passages), and every admin change list,
unsearched and searched (``--search``, by default "famine" and "north korea").

Target (issue 12 item 9): every page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://root@127.0.0.1:5432/hrkb_workbench_bench_100k"
TARGET_MS = 300
#: A word in 92 % of the synthetic reports, and the issue's "North Korea": two words the planner expects in
#: few rows (it multiplies their frequencies), always together, and in the titles of reports many passages are in.
DEFAULT_SEARCHES = ["famine", "north korea"]


def setup(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="hrkb.settings",
        DEBUG="off",
        SECRET_KEY="benchmark-only-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="off",
        SESSION_COOKIE_SECURE="off",
        CSRF_COOKIE_SECURE="off",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_data(reports: int) -> int:
    from django.core.management import call_command

    from benchmarks import generate_synthetic
    from reports.models import Report

    call_command("migrate", verbosity=0)
    if not Report.objects.exists():
        print(f"Empty database: generating {reports:,} synthetic reports (takes a while)…", flush=True)
        generate_synthetic.main(["--reports", str(reports), "--force", "--quiet"])
    return Report.objects.count()


def busiest():
    """The records named in the most passages: the worst case of each dossier."""
    from django.db.models import Count

    from actors.models import Actor
    from events.models import Event
    from reports.models import Report
    from sources.models import Mention

    def top(field, kind=None):
        queryset = Mention.objects.exclude(**{f"{field}__isnull": True})
        if kind:
            queryset = queryset.filter(actor__kind=kind)
        row = queryset.values(field).annotate(n=Count("pk")).order_by("-n").first()
        return row[field], row["n"]

    person, person_n = top("actor", "person")
    organisation, organisation_n = top("actor", "organisation")
    report, report_n = top("mentioned_report")
    event, event_n = top("event")
    return {
        "person": (Actor.objects.get(pk=person), person_n),
        "organisation": (Actor.objects.get(pk=organisation), organisation_n),
        "report": (Report.objects.defer("text").get(pk=report), report_n),
        "event": (Event.objects.get(pk=event), event_n),
    }


def pages(searches: list[str]) -> list[tuple[str, str]]:
    from django.contrib import admin
    from django.urls import reverse
    from django.utils.http import urlencode

    from reports.models import Report

    records = busiest()
    person, organisation = records["person"][0], records["organisation"][0]
    report, event = records["report"][0], records["event"][0]
    # The source viewer of the longest text that cites or names most: the report with the most mentions in it.
    from django.db.models import Count

    from sources.models import Mention

    text_id = Mention.objects.values("report").annotate(n=Count("pk")).order_by("-n").first()["report"]
    text = Report.objects.defer("text").get(pk=text_id)
    print(
        f"busiest: person {person.slug} ({records['person'][1]:,} mentions), "
        f"organisation {organisation.slug} ({records['organisation'][1]:,}), "
        f"report {report.slug} ({records['report'][1]:,}), event {event.slug} ({records['event'][1]:,}); "
        f"text {text.slug}"
    )
    research = [
        ("home", reverse("admin:index")),
        ("dossier: busiest person", reverse("admin:research_person", args=[person.slug])),
        ("dossier: busiest organisation", reverse("admin:research_organisation", args=[organisation.slug])),
        ("dossier: most-named report", reverse("admin:research_report", args=[report.slug])),
        ("dossier: most-named event", reverse("admin:research_event", args=[event.slug])),
        ("source viewer: most-marked text", reverse("admin:research_text", args=[text.slug])),
        ("cite form", reverse("admin:research_cite", args=[text.slug]) + "?start=0&end=10"),
        ("mention form", reverse("admin:research_mention", args=[text.slug]) + "?start=0&end=10"),
        ("timeline: everything", reverse("admin:research_timeline")),
        ("timeline: 2018", reverse("admin:research_timeline") + "?from=2018&to=2018"),
        ("timeline: chart, 2018", reverse("admin:research_timeline") + "?from=2018&to=2018&mode=chart"),
        ("timeline: busiest person", reverse("admin:research_timeline") + f"?actor={person.slug}"),
        ("timeline: busiest organisation", reverse("admin:research_timeline") + f"?organisation={organisation.slug}"),
        ("network: overview", reverse("admin:research_network")),
        ("network: busiest person, 1 hop", reverse("admin:research_network") + f"?around={person.slug}"),
        (
            "network: busiest person, 2 hops, co-mentions",
            reverse("admin:research_network") + f"?around={person.slug}&hops=2&comentions=1",
        ),
        ("claims review: contested", reverse("admin:research_claims")),
        ("claims review: low confidence", reverse("admin:research_claims") + "?queue=low"),
        ("claims review: unsourced", reverse("admin:research_claims") + "?queue=unsourced"),
    ]
    for search in searches:
        research += [
            (f"search: {search}", reverse("admin:research_search") + "?" + urlencode({"q": search})),
            (
                f"search: {search}, reports",
                reverse("admin:research_search") + "?" + urlencode({"q": search, "type": "report"}),
            ),
        ]
    research.append((f"search: {person.name}", reverse("admin:research_search") + "?" + urlencode({"q": person.name})))
    lists = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in {"hrkb", "actors", "reports", "events", "sources"}:
            continue
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        lists.append((f"list: {opts.label}", url))
        if model_admin.search_fields:
            lists += [(f"list: {opts.label} ?q={search}", f"{url}?{urlencode({'q': search})}") for search in searches]
    return research + sorted(lists)


def states(user, name: str, url: str) -> list[tuple[str, str]]:
    """A searched list's other states: sorted by each column it can be sorted by, both ways; "Show counts"; page 20."""
    if not name.startswith("list: ") or "?q=" not in url:
        return []
    from django.contrib.admin.views.main import IS_FACETS_VAR, ORDER_VAR, PAGE_VAR
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().get(url)
    request.user = user
    changelist = resolve(request.path).func.model_admin.get_changelist_instance(request)
    sortable = [
        (index, field)
        for index, field in enumerate(changelist.list_display)
        if field in changelist.sortable_by and changelist.get_ordering_field(field)
    ]
    found = [
        (f"{name} by {field}{' down' if sign else ''}", f"{url}&{ORDER_VAR}={sign}{index}")
        for index, field in sortable
        for sign in ("", "-")
    ]
    return [*found, (f"{name}, counts", f"{url}&{IS_FACETS_VAR}=True"), (f"{name}, page 20", f"{url}&{PAGE_VAR}=20")]


def _backend_cpu_ns(pid: int | None) -> int:
    """CPU time the database backend has used so far, in nanoseconds (0 when it cannot be read)."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if _backend_cpu_ns(pid) else None


def contention() -> tuple[float, float]:
    """A fixed CPU-bound loop's wall and CPU milliseconds: their ratio is how much the machine is shared."""
    wall, cpu = time.perf_counter(), time.process_time()
    sum(i * i for i in range(2_000_000))
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(client, url: str, repeat: int, pid: int | None) -> tuple[int, float, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm
    times, cpus = [], []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, cpu, db = time.perf_counter(), time.process_time(), _backend_cpu_ns(pid)
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000 + (_backend_cpu_ns(pid) - db) / 1e6)
        queries = len(captured)
    return response.status_code, statistics.median(times), max(times), statistics.median(cpus), queries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--reports", type=int, default=100_000, help="Reports to generate into an empty database.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--search",
        action="append",
        help=f"A query to search the lists and the one search for; repeat for several (default: {DEFAULT_SEARCHES}).",
    )
    parser.add_argument("--only", default="", help="Only pages whose name contains this.")
    parser.add_argument(
        "--states",
        action="store_true",
        help="Also each searched list sorted by each of its columns both ways, showing its filters' counts, and at "
        "page 20.",
    )
    arguments = parser.parse_args(argv)
    setup(arguments.database)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    # Production's manifest storage needs collectstatic; the pages' static URLs are not what is measured.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    count = ensure_data(arguments.reports)
    # Served as production's process serves them (hrkb.wsgi): every view imported, and what start-up made moved
    # out of the garbage collector's reach (gc.freeze), so that its full collections do not walk it each time.
    import hrkb.wsgi  # noqa: F401

    user, _ = get_user_model().objects.get_or_create(
        username="benchmark-curator", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    print(f"{connection.vendor}, {count:,} reports; median and worst of {arguments.repeat}, target {TARGET_MS} ms")
    rows = list(pages(arguments.search or DEFAULT_SEARCHES))
    if arguments.states:
        rows = [row for name, url in rows for row in [(name, url), *states(user, name, url)]]
    # After the states, so that --only can pick one ("famine, counts").
    rows = [(name, url) for name, url in rows if arguments.only in name]
    if not rows:
        parser.error(f"no page's name contains {arguments.only!r}")
    pid = backend_pid()
    width = max(len(name) for name, _ in rows)
    wall, cpu = contention()
    print(
        f"contention before: a fixed loop took {wall:.0f} ms for {cpu:.0f} ms of CPU ({wall / cpu:.1f}x); "
        f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}"
    )
    print(f"{'page':<{width}}  status  median ms  worst ms  cpu ms  queries")
    slow = []
    for name, url in rows:
        status, median, worst, cpu_ms, queries = measure(client, url, arguments.repeat, pid)
        flag = "" if median < TARGET_MS else "  > target"
        if flag:
            slow.append(name)
        cpu_text = f"{cpu_ms:>6.0f}" if pid else "     -"
        print(
            f"{name:<{width}}  {status:>6}  {median:>9.0f}  {worst:>8.0f}  {cpu_text}  {queries:>7}{flag}", flush=True
        )
    wall, cpu = contention()
    print(
        f"contention after: {wall:.0f} ms for {cpu:.0f} ms of CPU ({wall / cpu:.1f}x); "
        f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}"
    )
    print(
        f"{len(rows) - len(slow)} of {len(rows)} pages under {TARGET_MS} ms"
        + (f"; slow: {', '.join(slow)}" if slow else "")
    )


if __name__ == "__main__":
    main()
