"""gunicorn settings for KJ News; every value can be overridden from the environment."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: each request holds one worker; the shared cache and DB keep workers stateless.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Django and the app are imported once, in the master: a new worker (at start, after a crash or
# when recycled) is a fork, not a second start-up, and the workers share those pages.
preload_app = True
# Recycle workers now and then so a slow leak never becomes an outage. Not too often: at a
# thousand pages a second, 2,000 requests was a worker's life of ten seconds.
max_requests = 20000
max_requests_jitter = 2000
# gunicorn's control socket sits at one path per user: several sites on one machine (tests,
# nodes behind one proxy) would take it from each other.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# Both as JSON lines, with no client address unless ACCESS_LOG_ADDRESSES is on
# (kjnews/gunicorn_logging.py).
logger_class = "kjnews.gunicorn_logging.GunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # Each worker's database connections carry its pid, so pg_stat_activity tells which worker
    # holds a lock or runs a slow query (libpq reads PGAPPNAME when it connects).
    os.environ["PGAPPNAME"] = f"kjnews-web-{worker.pid}"
