"""The processes the bench measures: the site under gunicorn exactly as `make run` starts it,
nginx for the static baseline when it is installed, and a sampler of the workers' memory."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# Debian's nginx when installed; BENCH_NGINX names another binary. The bench never installs it.
NGINX = Path(os.environ.get("BENCH_NGINX", "/usr/sbin/nginx"))
STARTUP_SECONDS = 60
STOP_SECONDS = 30


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answers(url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Poll `url` until it answers 200; fail early if the server exits, late if it never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{process.args[0]} exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            raise ServerError(f"{url} answered {error.code}; see {log_path}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise ServerError(f"{url} did not answer within {STARTUP_SECONDS} s; see {log_path}")


def _stop(process: subprocess.Popen, stop_signal=signal.SIGTERM) -> None:
    """Ask the server to stop, then insist: its whole process group, started by us."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, stop_signal)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


@contextlib.contextmanager
def gunicorn_serving(*, env: dict[str, str], port: int, log_path: Path, ready_path: str):
    """`.venv/bin/gunicorn --config gunicorn.conf.py kjnews.wsgi` with HOST and PORT, as
    `make run` starts it (default workers, max_requests recycling and the access log included)."""
    gunicorn = Path(sys.prefix) / "bin" / "gunicorn"
    command = [str(gunicorn), "--config", "gunicorn.conf.py", "kjnews.wsgi"]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group, so stopping it reaches every worker
        )
    try:
        wait_until_answers(f"http://127.0.0.1:{port}{ready_path}", process, log_path)
        yield process
    finally:
        _stop(process)


NGINX_CONFIG = """
daemon off;
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/html html; }}
  client_body_temp_path {work}/client_body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {work}/www;
  }}
}}
"""


@contextlib.contextmanager
def nginx_serving(*, size: int):
    """nginx serving one static file of `size` bytes; yields its URL, or None when not installed."""
    if not NGINX.exists():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="kjnews-bench-nginx-") as work:
        work_dir = Path(work)
        www = work_dir / "www"
        www.mkdir()
        (www / "page.html").write_bytes(b"x" * size)
        for path in (work_dir, www, www / "page.html"):
            path.chmod(0o755)  # nginx's workers run as nobody when it is started as root
        with _nginx_process(work_dir) as url:
            yield url


@contextlib.contextmanager
def _nginx_process(work_dir: Path):
    port = free_port()
    config = work_dir / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(work=work_dir, port=port))
    log_path = work_dir / "error.log"
    process = subprocess.Popen(
        [str(NGINX), "-c", str(config), "-p", str(work_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/page.html"
    try:
        wait_until_answers(url, process, log_path)
        yield url
    finally:
        _stop(process, signal.SIGQUIT)  # nginx's graceful stop


def nginx_version() -> str:
    if not NGINX.exists():
        return "not installed"
    completed = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True, check=False)
    return completed.stderr.strip().removeprefix("nginx version: ")


def _status_kilobytes(pid: int, field_name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(master_pid: int, *, limit: float = 120.0) -> float:
    """Wait until the workers stop using CPU; returns the seconds waited.

    When wrk stops, requests it sent are still queued on gunicorn's socket and the sync workers
    serve them anyway; left alone, that backlog would be charged to the next case.
    """
    started = time.monotonic()
    window = 0.5
    while time.monotonic() - started < limit:
        before = sum(_cpu_seconds(pid) for pid in children(master_pid))
        time.sleep(window)
        used = sum(_cpu_seconds(pid) for pid in children(master_pid)) - before
        if used < 0.05 * window:  # all workers together under 5 % of one CPU
            break
    return time.monotonic() - started


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@dataclass
class WorkerMemory:
    """Peak and last resident memory of every gunicorn worker seen, sampled while the bench runs.

    gunicorn recycles a worker after about 2,000 requests (max_requests), so the workers alive at
    the end are not the ones that served most of the load: the peak is kept for each one seen.
    """

    master_pid: int
    interval: float = 0.25
    peak_kb: dict[int, int] = field(default_factory=dict)
    last_rss_kb: dict[int, int] = field(default_factory=dict)
    _stop_event: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        for pid in children(self.master_pid):
            peak = _status_kilobytes(pid, "VmHWM")
            rss = _status_kilobytes(pid, "VmRSS")
            if peak is not None:
                self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), peak)
            if rss is not None:
                self.last_rss_kb[pid] = rss

    def _loop(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.sample()

    def start(self) -> None:
        self.sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop_event.set()
        if self._thread:
            self._thread.join()
        self.sample()

    def alive(self) -> list[int]:
        return children(self.master_pid)
