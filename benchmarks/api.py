"""Benchmark of the API v1 against a plain-Django floor, on PostgreSQL (a script, not a test).

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python benchmarks/api.py
    .venv/bin/python benchmarks/api.py --sizes 10000 --requests 100 --no-wrk     # a quick look

For each size it uses a dedicated database on the server DATABASE_URL names
(``hrkb_bench_10k``, ``hrkb_bench_100k``; created, migrated and filled with
``benchmarks/generate_synthetic.py`` the first time, reused afterwards), then, in a child
process configured like production (DEBUG off, persistent connections):

1. in process, with Django's test client: the p50/p95 latency of every list's
   first page, early pages, deep pages near the end, and details, each beside the floor
   view for the same page (``benchmarks/floor.py``: ``.values()`` of the same
   fields and a JsonResponse; checked to serve the same JSON), and the ratio API/floor;
2. under gunicorn (2 workers, 127.0.0.1 only) with wrk, in alternating rounds of a
   bounded time: requests/s of the reports list and of its floor, their ratio, and
   the CPU time the workers spent per request.

Targets (issue 8 item 6): at 10,000 reports, in one run, every list, early page,
deep page and detail within 1.5x of the floor at p50, and throughput on the
reports list at least 0.8x the floor's. (Issue 4 item 9, at 100,000 reports: p95
under 30 ms for list and detail, deep pages as fast as the first.)
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 1000  # milliseconds per second, for the tables


def size_label(reports: int) -> str:
    return f"{reports // 1000}k" if reports % 1000 == 0 else str(reports)


def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def ensure_database(server_url: str, name: str) -> bool:
    """Create database ``name`` unless it exists; True if it was created."""
    import psycopg

    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
        return True


def production_env(url: str) -> dict[str, str]:
    """The environment of a production deployment on this machine, with the floor views mounted."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "off",
        "SECRET_KEY": "benchmark-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "off",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        # The rate limits' counters live in Redis in production (README); without it they would cost
        # two or three queries of the database cache table per request.
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        # Behind a proxy, as in production; each request comes from its own address (see client_address),
        # so the anonymous rate limit is checked on every request but never trips.
        "API_NUM_PROXIES": "1",
        # whitenoise warns that collectstatic has not run; the benchmark serves no static files.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }


def run(command: list[str], env: dict[str, str]) -> None:
    print("$", shlex.join(command), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="Numbers of reports.")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per case (after warm-up).")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests per case first.")
    parser.add_argument("--wrk-duration", type=int, default=5, help="Seconds of load per wrk run.")
    parser.add_argument("--wrk-rounds", type=int, default=6, help="wrk runs of the API and of the floor, alternating.")
    parser.add_argument("--wrk-connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--no-wrk", action="store_true", help="Skip the gunicorn + wrk part.")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # internal: the child for one size
    args = parser.parse_args()
    if args.measure:
        measure(args)
        return

    server = os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres")
    if not server.startswith(("postgres://", "postgresql://")):
        sys.exit("benchmarks/api.py needs DATABASE_URL to name a PostgreSQL server (any database on it).")
    for reports in args.sizes:
        name = f"hrkb_bench_{size_label(reports)}"
        created = ensure_database(server, name)
        print(f"\n=== {reports:,} reports: database {name} ({'created' if created else 'reused'}) ===", flush=True)
        env = production_env(database_url(server, name))
        python = sys.executable
        run([python, "manage.py", "migrate", "--no-input", "-v0"], env)
        child = [python, "benchmarks/api.py", "--measure", str(reports), "--requests", str(args.requests)]
        child += ["--warmup", str(args.warmup), "--wrk-duration", str(args.wrk_duration)]
        child += ["--wrk-rounds", str(args.wrk_rounds)]
        child += ["--wrk-connections", str(args.wrk_connections), "--workers", str(args.workers)]
        run([*child, *(["--no-wrk"] if args.no_wrk else [])], env)


# --- the child: one database, configured like production ----------------------------------------------------------


def measure(args) -> None:
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG and settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    ensure_corpus(args.measure)
    cases = benchmark_cases()
    print(
        f"\nIn process (django.test.Client), {args.requests} requests per case and as many of its floor, "
        f"alternating, after {args.warmup} warm-up:"
    )
    header = f"{'case':<26} {'p50 ms':>7} {'p95 ms':>7} {'cpu':>5} {'q':>2} | {'floor p50':>9} {'p95':>6} {'cpu':>5}"
    header += f" {'q':>2} | ratio p50   p95   cpu"
    print(f"(load average {load_average()} at the start: other work on this machine slows both sides alike)")
    print(header)
    print("-" * len(header))
    for case in cases:
        api, floor = time_case(case, args.requests, args.warmup)
        print(
            f"{case.name:<26} {api.p50:7.2f} {api.p95:7.2f} {api.cpu:5.2f} {api.queries:2d} | {floor.p50:9.2f} "
            f"{floor.p95:6.2f} {floor.cpu:5.2f} {floor.queries:2d} | {api.p50 / floor.p50:5.2f}x "
            f"{api.p95 / floor.p95:5.2f}x {api.cpu / floor.cpu:5.2f}x",
            flush=True,
        )
    print(f"(load average {load_average()} at the end; cpu: median ms of CPU in this process; q: SQL queries.)")
    print("Each case cycles through these paths, and the floor through the same ones under /floor/:")
    for case in cases:
        more = f" and {len(case.api_paths) - 1} more like it" if len(case.api_paths) > 1 else ""
        print(f"  {case.name}: {case.api_paths[0]}{more}")
    if not args.no_wrk:
        reports_list = next(case for case in cases if case.name == "reports list")
        throughput(reports_list, args)


def ensure_corpus(reports: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import generate_synthetic
    from reports.models import Report, Topic

    stored = Report.objects.filter(slug__startswith="syn-").count()
    if stored and stored != reports:
        sys.exit(f"this database holds {stored:,} synthetic reports, not {reports:,}; drop it to regenerate")
    if not stored:
        if not Topic.objects.exists():
            call_command("load_fixtures", verbosity=0)
        print(f"$ benchmarks/generate_synthetic.py --reports {reports} --force", flush=True)
        started = time.monotonic()
        generate_synthetic.main(["--reports", str(reports), "--force", "--quiet"])
        print(f"generated {reports:,} reports in {time.monotonic() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def load_average() -> str:
    return " ".join(f"{load:.1f}" for load in os.getloadavg())


class Timing:
    """Milliseconds at the 50th and 95th percentile, the median CPU time of this process, and the queries."""

    def __init__(self, samples: list[float], cpu: list[float], queries: int):
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        self.p50, self.p95, self.queries = statistics.median(samples) * SECONDS, cuts[94] * SECONDS, queries
        self.cpu = statistics.median(cpu) * SECONDS


def time_case(case: Case, count: int, warmup: int) -> tuple[Timing, Timing]:
    """Time ``count`` GETs of the API and of the floor, alternating, after ``warmup`` untimed ones of each.

    Alternating puts both under the same momentary load, so their ratio holds even
    on a busy machine. Every warm-up response is checked for a 200.
    """
    from django.test import Client

    client = Client(raise_request_exception=True)
    pairs = list(zip(case.api_paths, case.floor_paths, strict=True))
    for pair in itertools.islice(itertools.cycle(pairs), max(warmup, len(pairs))):
        responses = []
        for path in pair:
            response = client.get(path, HTTP_X_FORWARDED_FOR=client_address())
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
            responses.append(response.json())
        difference = first_difference(*responses)
        if difference:
            raise SystemExit(f"the floor does not serve the same page as {pair[0]}: {difference}")
    queries = [count_queries(client, path) for path in pairs[0]]
    samples: tuple[list[float], list[float]] = ([], [])
    # CPU time of this process (Django, DRF, psycopg; not the database server's): what load does not change.
    cpu: tuple[list[float], list[float]] = ([], [])
    for pair in itertools.islice(itertools.cycle(pairs), count):
        for path, timings, cpu_times in zip(pair, samples, cpu, strict=True):
            address = client_address()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path, HTTP_X_FORWARDED_FOR=address)
            timings.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - started_cpu)
    return Timing(samples[0], cpu[0], queries[0]), Timing(samples[1], cpu[1], queries[1])


def first_difference(api, floor, where: str = "") -> str | None:
    """Where the floor's JSON differs from the API's, or None.

    Timestamps are compared to the second (DRF writes microseconds, JsonResponse
    milliseconds), and next links by their query string (the paths differ).
    """
    if isinstance(api, dict) and isinstance(floor, dict):
        if list(api) != list(floor):
            return f"{where or 'top'}: keys {list(api)} != {list(floor)}"
        for key in api:
            a, f = api[key], floor[key]
            if key in ("created", "modified") and isinstance(a, str) and isinstance(f, str):
                a, f = a[:19], f[:19]
            elif key == "next" and a and f:
                a, f = a.partition("?")[2], f.partition("?")[2]
            difference = first_difference(a, f, f"{where}.{key}")
            if difference:
                return difference
        return None
    if isinstance(api, list) and isinstance(floor, list):
        if len(api) != len(floor):
            return f"{where}: {len(api)} items != {len(floor)}"
        for index, (a, f) in enumerate(zip(api, floor, strict=True)):
            difference = first_difference(a, f, f"{where}[{index}]")
            if difference:
                return difference
        return None
    return None if api == floor else f"{where}: {api!r:.80} != {floor!r:.80}"


def count_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(path, HTTP_X_FORWARDED_FOR=client_address())
    # Counted now: the captured list is a view of the connection's log, which the next request clears.
    return len(queries)


_addresses = itertools.count(1)


def client_address() -> str:
    """A new client address (10.x.y.z) for every request: many clients, none near its rate limit."""
    number = next(_addresses)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


@dataclass
class Case:
    """One kind of request, for the API and for the floor: the same pages, in the same order."""

    name: str
    api_paths: list[str]
    floor_paths: list[str]


RESOURCES = [("reports", "report"), ("people", "person"), ("organisations", "organisation"), ("events", "event")]
RESOURCES += [("quotes", "quote")]
DETAILS = 20  # records spread over each table, so a detail's time is not one record's
# Deep pages start at positions within the last two per cent of each list (and at least a page before
# its end, so that every deep page is a full page, as the first one is: the last pages of a short list
# hold a handful of records); early pages, for comparison, at as many positions within the first two
# per cent: both cycle through pages the database has not just served, which the first page (always
# the same) is not.
DEEP_PAGES = 10


def benchmark_cases() -> list[Case]:
    """First page, deep pages and details of every resource, each beside the floor's."""
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, resolve, reverse

    from hrkb.api.pagination import KeysetPagination

    cases = []
    for plural, basename in RESOURCES:
        try:
            api_list, floor_list = reverse(f"api:{basename}-list"), reverse(f"floor:{basename}-list")
        except NoReverseMatch:
            print(f"({plural}: no API or floor route yet, skipped)")
            continue
        view_class = resolve(api_list).func.cls
        # The API's default order is slug; deep cursors are made the way its next links are.
        assert view_class.ordering == "slug", f"{plural}: the benchmark assumes the default ordering is slug"
        # What the API lists to an anonymous client (a quote, for one, also needs a readable speaker).
        view = view_class(action_map={"get": "list"}, kwargs={}, format_kwarg=None)
        view.request = view.initialize_request(RequestFactory().get(api_list))
        slugs = view.get_queryset().prefetch_related(None).order_by("slug").values_list("slug", flat=True)
        total = slugs.count()
        if total < 2:
            print(f"({plural}: {total} readable records, skipped; regenerate the database to include them)")
            continue
        pagination = KeysetPagination()
        span = max(DEEP_PAGES, total // 50)
        step = max(1, span // DEEP_PAGES)
        early, deep = (
            [
                "?cursor=" + pagination.encode_cursor({"o": "slug", "v": [slugs[position]]})
                for position in range(start, min(start + span, total - 1), step)[:DEEP_PAGES]
            ]
            for start in (0, max(0, total - span - pagination.page_size - 1))
        )
        details = [slugs[position] for position in range(0, total, max(1, total // DETAILS))[:DETAILS]]
        cases += [
            Case(f"{plural} list", [api_list], [floor_list]),
            Case(f"{plural} early page", [api_list + q for q in early], [floor_list + q for q in early]),
            Case(f"{plural} deep page", [api_list + q for q in deep], [floor_list + q for q in deep]),
            Case(
                f"{plural} detail",
                [reverse(f"api:{basename}-detail", args=[slug]) for slug in details],
                [reverse(f"floor:{basename}-detail", args=[slug]) for slug in details],
            ),
        ]
    return cases


# Like client_address: every request from its own (proxied) address, so the rate limit never trips.
WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, nil, {["X-Forwarded-For"] = address})
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throughput(case, args) -> None:
    """Requests/s of the reports list and its floor under gunicorn, loaded by wrk on 127.0.0.1.

    The two alternate, ``--wrk-rounds`` runs each (the API first in odd rounds, the
    floor first in even ones), so both meet the same load on a shared machine; the
    ratio is of their totals. Beside requests/s: the CPU time the gunicorn workers
    spent per request (from /proc), which the machine's other load does not change.
    """
    wrk = shutil.which("wrk")
    if not wrk:
        print("\nwrk is not installed (apt-get install -y wrk): skipping the throughput runs.")
        return
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "hrkb.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    # As the README recommends for production: the app loaded (and its start-up objects frozen) before forking.
    gunicorn += ["--preload", "--workers", str(args.workers), "--log-level", "warning"]
    print(
        f"\nUnder gunicorn ({args.workers} workers) with wrk ({args.wrk_connections} connections), "
        f"{args.wrk_rounds} rounds of {args.wrk_duration} s for each, alternating:"
    )
    print("$", shlex.join(gunicorn), flush=True)
    with tempfile.TemporaryDirectory(prefix="hrkb-wrk-") as directory:
        script = Path(directory) / "addresses.lua"
        script.write_text(WRK_SCRIPT)
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=os.environ.copy())
        try:
            wait_for_port(port)
            urls = {"api": case.api_paths[0], "floor": case.floor_paths[0]}
            urls = {label: f"http://127.0.0.1:{port}{path}" for label, path in urls.items()}
            for url in urls.values():
                # Untimed first: both workers open their database connection and warm their caches.
                subprocess.run([wrk, "-t2", "-c4", "-d2s", "-s", str(script), url], check=True, capture_output=True)
            command = [
                wrk,
                "-t2",
                f"-c{args.wrk_connections}",
                f"-d{args.wrk_duration}s",
                "--latency",
                "-s",
                str(script),
            ]
            print("$", shlex.join([*command, urls["api"]]), "(and the floor's URL)", flush=True)
            totals = {label: WrkTotal() for label in urls}
            for round_number in range(1, args.wrk_rounds + 1):
                order = ["api", "floor"] if round_number % 2 else ["floor", "api"]
                for label in order:
                    workers = worker_pids(server.pid)
                    cpu_before = cpu_seconds(workers)
                    output = subprocess.run([*command, urls[label]], check=True, capture_output=True, text=True).stdout
                    cpu = cpu_seconds(workers) - cpu_before
                    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
                    if errors:
                        raise SystemExit(f"wrk saw {errors.group(1)} error responses from {urls[label]}:\n{output}")
                    run_total = totals[label].add(output, cpu)
                    print(f"  round {round_number} {label:<5} {run_total}", flush=True)
            for label, total in totals.items():
                print(f"  {label:<5} {total}")
            ratio = totals["api"].rate / totals["floor"].rate
            cpu_ratio = totals["api"].cpu_per_request / totals["floor"].cpu_per_request
            print(
                f"  ratio api/floor: {ratio:.2f}x requests/s, {cpu_ratio:.2f}x worker CPU per request "
                f"(load average {load_average()})",
                flush=True,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


class WrkTotal:
    """Requests, seconds and worker CPU seconds of one side's wrk runs, added up."""

    def __init__(self):
        self.requests, self.seconds, self.cpu = 0, 0.0, 0.0

    def add(self, output: str, cpu: float) -> str:
        """Count one run's wrk output; a line describing that run."""
        requests, seconds, unit = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output).groups()
        seconds = float(seconds) / (SECONDS if unit == "ms" else 1)
        p50, p99 = re.search(r"^\s+50%\s+(\S+).*?^\s+99%\s+(\S+)", output, re.S | re.M).groups()
        self.requests += int(requests)
        self.seconds += seconds
        self.cpu += cpu
        return (
            f"{int(requests) / seconds:8.1f} requests/s  {cpu / int(requests) * SECONDS:6.2f} worker CPU ms/request"
            f"  (latency p50 {p50}, p99 {p99})"
        )

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / self.requests * SECONDS

    def __str__(self) -> str:
        return (
            f"{self.rate:8.1f} requests/s  {self.cpu_per_request:6.2f} worker CPU ms/request"
            f"  ({self.requests} requests in {self.seconds:.1f} s)"
        )


def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes: the children of its master."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes (0 where /proc is not there to say)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


if __name__ == "__main__":
    main()
