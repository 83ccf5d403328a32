"""Settings for benchmarks/api.py: the production settings, plus the floor views' routes.

Everything else (DEBUG, CONN_MAX_AGE, hosts, TLS redirect) comes from the
environment exactly as in production; the benchmark sets those variables.
"""

from hrkb.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
