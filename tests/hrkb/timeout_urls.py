"""The project's URLs, and a view whose query outlasts any bound, under the API and under the admin."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import include, path

SLOW = {
    "postgresql": "SELECT pg_sleep(5)",
    # Counts to a hundred million: seconds of work for SQLite's virtual machine.
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000000) SELECT count(*) FROM c",
}

# Half a second or so: longer than a test's bound, shorter than the suite's patience.
LONGER = {
    "postgresql": "SELECT pg_sleep(0.5)",
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000) SELECT count(*) FROM c",
}


def _answer(queries):
    # In an atomic block, as a view that writes would be: the cancelled query rolls back to its savepoint.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(queries[connection.vendor])
    return HttpResponse("answered")


def slow(request):
    return _answer(SLOW)


def longer(request):
    return _answer(LONGER)


def quick(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("answered")


urlpatterns = [
    path("admin/longer/", longer),
    path("api/v1/slow/", slow),
    path("admin/slow/", slow),
    path("admin/quick/", quick),
    path("", include("hrkb.urls")),
]
