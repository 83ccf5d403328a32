"""Benchmark of the streamed exports over real HTTP (a script, not a test).

    DATABASE_URL=postgres://root@127.0.0.1:5432/hrkb_sync_100k .venv/bin/python benchmarks/export.py

Serves the database DATABASE_URL names (migrated, holding data, e.g. made by
``benchmarks/generate_synthetic.py``) with gunicorn as configured for
production (``gunicorn.conf.py``: threaded workers, the default 30 s timeout;
DEBUG off) on 127.0.0.1, then downloads /api/v1/export.ndjson and every
/api/v1/<resource>/export.csv, anonymously and with a partner key cleared for
restricted records, with curl where there is one (see :func:`download`). For
each it prints the records, the seconds, records/s and MB/s, after checking
the whole body: every NDJSON line parses as JSON, every CSV row has the
header's number of columns, and the count equals the database's count of
readable records (so nothing was cut). Target (issue 10,
item 4): 10,000 records/s or more at 100,000 reports on PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrkb.settings")
    import django

    django.setup()


def expected_counts(cleared: bool) -> dict[str, int]:
    from hrkb.public_types import PUBLIC_TYPES

    return {t.path: t.model._default_manager.readable(restricted=cleared).count() for t in PUBLIC_TYPES}


def partner_secret() -> str:
    """A key cleared for restricted records, made for this run (revoked by the caller)."""
    from hrkb.models import PartnerKey
    from hrkb.public_types import BY_NAME

    organisation = BY_NAME["organisation"].model._default_manager.order_by("pk").first()
    key = PartnerKey(name="benchmarks/export.py", organisation=organisation, can_read_restricted=True)
    secret = key.set_new_secret()
    key.save()
    return secret


def download(url: str, headers: dict) -> tuple[bytes, float, float]:
    """The whole body, the seconds to its last byte and to its first.

    Downloaded by curl where there is one, as a partner would: on a machine of
    two cores the client shares the CPU with the server, and Python's HTTP
    client spends 10–15 s of CPU receiving the 1.6 GB NDJSON export of 100,000
    reports (curl about 1 s), which the server's figure should not pay for.
    """
    if shutil.which("curl"):
        return _curl(url, headers)
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        first = response.read(1)
        first_at = time.perf_counter() - started
        body = first + response.read()
    return body, time.perf_counter() - started, first_at


def _curl(url: str, headers: dict) -> tuple[bytes, float, float]:
    with tempfile.NamedTemporaryFile() as body:
        command = ["curl", "--silent", "--show-error", "--fail", "--output", body.name]
        command += ["--write-out", "%{time_total} %{time_starttransfer}", url]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        total, first = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
        return Path(body.name).read_bytes(), float(total), float(first)


def check_ndjson(body: bytes) -> dict[str, int]:
    counts: dict[str, int] = {}
    text = body.decode()
    assert text.endswith("\n"), "the last line is cut"
    for line in text.splitlines():
        record = json.loads(line)  # a cut line fails here
        counts[record["type"]] = counts.get(record["type"], 0) + 1
    return counts


def check_csv(body: bytes) -> int:
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    width = len(rows[0])
    assert all(len(row) == width for row in rows), "a row is cut"
    return len(rows) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="downloads of each export (the best is shown)")
    parser.add_argument("--only", choices=["ndjson", "csv"], help="only this format")
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from hrkb.models import PartnerKey
    from hrkb.public_types import BY_NAME, PUBLIC_TYPES

    secret = partner_secret()
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "off",
        "SECRET_KEY": "benchmark-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
        "API_THROTTLE_ANON": "100000/minute",
        "API_THROTTLE_PARTNER": "100000/minute",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "hrkb.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        print(f"# {connection.settings_dict['NAME']} on {connection.vendor}; gunicorn.conf.py (gthread, timeout 30 s)")
        print(f"# {os.popen('uptime').read().strip()}")
        print(f"# client: {'curl' if shutil.which('curl') else 'urllib (no curl here)'}")
        print("| export | client | records | seconds | first byte s | records/s | MB/s |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for label, headers, cleared in (
            ("anonymous", {}, False),
            ("cleared key", {"Authorization": f"Api-Key {secret}"}, True),
        ):
            expected = expected_counts(cleared)
            targets = []
            if args.only in (None, "ndjson"):
                targets.append(("export.ndjson", f"{base}/export.ndjson", None))
            if args.only in (None, "csv"):
                targets += [(f"{t.path}/export.csv", f"{base}/{t.path}/export.csv", t.path) for t in PUBLIC_TYPES]
            for name, url, path in targets:
                best = None
                for _ in range(args.repeat):
                    body, seconds, first = download(url, headers)
                    if best is None or seconds < best[1]:
                        best = (body, seconds, first)
                body, seconds, first = best
                if path is None:
                    counts = check_ndjson(body)
                    by_path = {BY_NAME[type_name].path: count for type_name, count in counts.items()}
                    assert by_path == {k: v for k, v in expected.items() if v}, (by_path, expected)
                    records = sum(counts.values())
                else:
                    records = check_csv(body)
                    assert records == expected[path], (path, records, expected[path])
                print(
                    f"| {name} | {label} | {records:,} | {seconds:.1f} | {first:.2f} | "
                    f"{records / seconds:,.0f} | {len(body) / seconds / 1e6:.1f} |",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        PartnerKey.objects.filter(hashed_secret=PartnerKey.hash_secret(secret)).delete()


if __name__ == "__main__":
    main()
