"""Persistent connections (CONN_MAX_AGE) against psycopg's pool (DATABASE_POOL=true), measured.

Runs on this machine only (loopback): a PostgreSQL cluster and a Redis of its own, the demo site
with its demo comments, and gunicorn with 5 workers per variant as `make run` serves it. For each
round and variant: wrk on an article page and on the home page, the connections each variant holds
in pg_stat_activity, and, once per variant, what readers get across a PostgreSQL restart.
Prints one line per measurement and the medians; docs/decisions.md quotes them.

    .venv/bin/python scripts/compare_connections.py [rounds] [seconds]
"""

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from tests.servers import (  # noqa: E402
    Gunicorn,
    PostgresCluster,
    Reader,
    RedisServer,
    manage,
    site_environment,
)

VARIANTS = {"persistent": {"DATABASE_POOL": "false"}, "pool": {"DATABASE_POOL": "true"}}


def wrk(url: str, seconds: int) -> tuple[float, int]:
    done = subprocess.run(
        ["wrk", "-t2", "-c10", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    return rate, int(errors.group(1)) if errors else 0


def worker_rss_mb(site) -> list[float]:
    sizes = []
    for pid in site.worker_pids():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sorted(round(size) for size in sizes)


def connections(cluster) -> int:
    with psycopg.connect(cluster.url("postgres")) as connection:
        [(count,)] = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'kjnews-web-%'"
        ).fetchall()
    return count


def across_restart(cluster, site, path) -> str:
    reader = Reader(site.url, timeout=30)
    statuses, slowest = [], 0.0
    started = time.monotonic()
    stopped_at = restarted_at = None
    first_ok_after = None
    while time.monotonic() - started < 12:
        elapsed = time.monotonic() - started
        if stopped_at is None and elapsed > 1:
            cluster.stop()
            stopped_at = time.monotonic()
        if stopped_at and restarted_at is None and time.monotonic() - stopped_at > 2:
            cluster.start()
            restarted_at = time.monotonic()
        t0 = time.monotonic()
        status = reader.get(path).status
        slowest = max(slowest, time.monotonic() - t0)
        statuses.append(status)
        if restarted_at and status == 200 and first_ok_after is None:
            first_ok_after = time.monotonic() - restarted_at
        time.sleep(0.05)
    counts = {code: statuses.count(code) for code in sorted(set(statuses))}
    return (
        f"statuses {counts}, slowest answer {slowest:.1f}s, "
        f"first 200 {first_ok_after:.2f}s after restart"
    )


def main(rounds: int, seconds: int):
    work = Path(tempfile.mkdtemp(prefix="kjnews-bench-"))
    with PostgresCluster() as cluster, RedisServer(work) as redis:
        cluster.create_database("kjnews")
        env = site_environment(DATABASE_URL=cluster.url("kjnews"), CACHE_URL=redis.url())
        for command in (["migrate", "--noinput"], ["seed_demo"], ["seed_demo_comments"]):
            manage(*command, env=env)
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        with psycopg.connect(cluster.url("kjnews")) as connection:
            [(slug,)] = connection.execute(
                "SELECT a.slug FROM articles_article a JOIN comments_thread t "
                "ON t.article_id = a.id ORDER BY t.published_count DESC LIMIT 1"
            ).fetchall()
        article = f"/articles/{slug}/"
        results = {(v, page): [] for v in VARIANTS for page in ("article", "home")}
        held = {v: [] for v in VARIANTS}
        for round_number in range(rounds):
            for variant, extra in VARIANTS.items():
                site = Gunicorn({**env, **extra}, workers=5, log_path=work / f"{variant}.log")
                with site:
                    for path in (article, "/"):
                        Reader(site.url).get(path)
                    for page, path in (("article", article), ("home", "/")):
                        wrk(site.url + path, 2)  # warm every worker
                        rate, errors = wrk(site.url + path, seconds)
                        results[(variant, page)].append(rate)
                        print(
                            f"round {round_number + 1} {variant:10} {page:7} {rate:7.1f}/s",
                            f"errors {errors}",
                        )
                    held[variant].append(connections(cluster))
                    print(
                        f"round {round_number + 1} {variant:10} worker RSS MB {worker_rss_mb(site)}"
                    )
                    print(
                        f"round {round_number + 1} {variant:10}",
                        f"connections held {held[variant][-1]}",
                    )
                    if round_number == 0:
                        print(f"{variant:10} restart: {across_restart(cluster, site, article)}")
                        cluster.ensure_running()
        print("\nmedians")
        for (variant, page), rates in results.items():
            print(f"{variant:10} {page:7} {statistics.median(rates):7.1f}/s  (all: {rates})")
        for variant, counts in held.items():
            print(f"{variant:10} connections {counts}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 3, int(sys.argv[2]) if len(sys.argv) > 2 else 10
    )
