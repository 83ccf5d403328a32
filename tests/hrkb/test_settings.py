"""Settings come from the environment; production values have no defaults."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_debug_off_and_a_real_secret():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="off",
        SECRET_KEY="k3y-" + "x7Qp9Lm2Zr8Vt4Wn6Yb1Hc5Jd0Fg3Sa" * 2,
        ALLOWED_HOSTS="hrkb.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check", DEBUG="off", ALLOWED_HOSTS="hrkb.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_wsgi_entry_point_loads_every_view_and_freezes_what_start_up_made():
    code = (
        "import gc, sys, hrkb.wsgi; "
        "assert 'reports.api.views' in sys.modules, 'views not imported at start-up'; "
        "assert gc.get_freeze_count() > 10000, gc.get_freeze_count()"
    )
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
