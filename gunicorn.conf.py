"""gunicorn settings for KJ News; every value can be overridden from the environment."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: each request holds one worker; the shared cache and DB keep workers stateless.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # Each worker's database connections carry its pid, so pg_stat_activity tells which worker
    # holds a lock or runs a slow query (libpq reads PGAPPNAME when it connects).
    os.environ["PGAPPNAME"] = f"kjnews-web-{worker.pid}"
