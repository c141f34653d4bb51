"""What the benchmarks share: a throw-away PostgreSQL database, Django set up against it
with production-like settings, timing (median of runs after a warm-up), query counts,
EXPLAIN ANALYZE of captured ORM queries, and a plain-text table."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def configure_environment(default_url: str, *, script: str, extra_env: dict | None = None) -> dict:
    """Point Django at the bench database before it is imported, and make sure that is safe:
    PostgreSQL only, and a database whose name contains "bench" (it is dropped)."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL") or default_url
    db = dj_database_url.parse(url)
    if "postgresql" not in db["ENGINE"]:
        sys.exit(f"{script} needs PostgreSQL; DATABASE_URL is {url!r}")
    if "bench" not in db["NAME"]:
        sys.exit(f"refusing to drop and rebuild {db['NAME']!r}: the database name must contain 'bench'")
    os.environ["DATABASE_URL"] = url
    # Production-like settings: DEBUG off (no query log growing with the inserts).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", f"{script}-only-" + "x" * 40)
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix=f"{script}-var-"))
    Path(os.environ["VAR_DIR"], "staticfiles").mkdir(parents=True, exist_ok=True)  # WhiteNoise
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for key, value in (extra_env or {}).items():
        os.environ.setdefault(key, value)
    os.environ["DJANGO_SETTINGS_MODULE"] = "governance.settings"
    return db


def recreate_database(db: dict) -> None:
    import psycopg
    from psycopg import sql

    conninfo = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        name = sql.Identifier(db["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def describe_database() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('lc_collate'), current_database()")
        version, collate, name = cursor.fetchone()
    return (f"database {name} ({version.split(',')[0]}, collation {collate}), "
            f"{os.cpu_count()} CPUs, Django {django.get_version()}")


def timed(fn, repeat: int):
    """(median ms, min ms, max ms, last result) of ``repeat`` runs after one warm-up."""
    fn()  # warm-up: caches, first-use imports, plan cache
    samples = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), min(samples), max(samples), result


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def fresh(user):
    """The user without the per-object scope cache, as a new request would have it."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def explain(title: str, run, *, index: int = -1, match: str | None = None) -> None:
    """EXPLAIN ANALYZE one query that ``run()`` sends, exactly as the ORM wrote it: the
    last one by default, ``index``, or the last one containing ``match``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        run()
    queries = [q["sql"] for q in ctx.captured_queries]
    if match is not None:
        queries = [q for q in queries if match in q]
    sql = queries[index]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)  # no params: % is literal
        plan = [row[0] for row in cursor.fetchall()]
    print(f"\nEXPLAIN {title}\n  SQL: {sql}")
    for line in plan:
        print("    " + line)


def explain_slowest(title: str, run) -> None:
    """List the queries ``run()`` sends with their times, and EXPLAIN ANALYZE the slowest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        run()
    timed_queries = sorted(((float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries), reverse=True)
    print(f"\n{title}: {len(timed_queries)} queries, {sum(ms for ms, _sql in timed_queries):.0f} ms in SQL")
    for ms, sql in timed_queries[:5]:
        print(f"  {ms:8.1f} ms  {sql[:150]}{'…' if len(sql) > 150 else ''}")
    slowest = timed_queries[0][1]
    explain(f"the slowest query of {title}", lambda: _run_sql(slowest))


def _run_sql(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)  # as captured: parameters inlined, % literal


def print_table(rows, repeat: int) -> None:
    """``rows``: (group, what, rows, queries or None, median, min, max)."""
    headers = ("", "measurement", "rows", "SQL", "median ms", "min ms", "max ms")
    table = [headers] + [
        (g, w, str(n), "-" if q is None else str(q), f"{med:.2f}", f"{lo:.2f}", f"{hi:.2f}")
        for g, w, n, q, med, lo, hi in rows
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    print(f"\nTimings: median of {repeat} runs after one warm-up; SQL = queries per call")
    for i, row in enumerate(table):
        print("  ".join(
            cell.ljust(widths[j]) if j < 2 else cell.rjust(widths[j]) for j, cell in enumerate(row)
        ))
        if i == 0:
            print("  ".join("-" * w for w in widths))


class Measurements:
    """Collects timed rows for :func:`print_table`."""

    def __init__(self, repeat: int):
        self.repeat = repeat
        self.rows: list[tuple] = []

    def add(self, group, what, fn, *, rows_of=len, queries=True):
        median, lo, hi, result = timed(fn, self.repeat)
        n_queries = count_queries(fn) if queries else None
        self.rows.append((group, what, rows_of(result), n_queries, median, lo, hi))
        return result

    def print(self) -> None:
        print_table(self.rows, self.repeat)
