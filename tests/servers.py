"""Real servers for tests that must run the way production does.

gunicorn with several workers, started exactly as `make run` starts it; a Redis or a PostgreSQL
cluster of the test's own that it may stop, pause or restart mid-test; readers who post from their
own loopback addresses (127.0.0.N) with their own cookies. Nothing here is a mock: every class runs
a real process on this machine's loopback interface, and every wait is bounded.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from email.message import Message
from http.client import HTTPConnection, HTTPSConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout}s waiting for {what}")


def site_environment(**overrides: str) -> dict[str, str]:
    """The environment of a production-like site: DEBUG off, real secrets, sender records sealed to
    a public key (whose private half the test never needs), quiet logs."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "live-test-" + os.urandom(24).hex(),
        "POSTER_HASH_KEY": os.environ.get("POSTER_HASH_KEY")
        or "live-poster-" + os.urandom(24).hex(),
        "DISCLOSURE_PUBLIC_KEY": os.environ.get("DISCLOSURE_PUBLIC_KEY")
        or _disclosure_public_key(),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(overrides)
    return env


def _disclosure_public_key() -> str:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from comments.disclosure import public_key_text

    return public_key_text(X25519PrivateKey.generate().public_key())


def manage(*args: str, env: dict[str, str]) -> str:
    """Runs `manage.py` as an operator would; raises with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def process_stop(process: subprocess.Popen | None, stop_signal, *, timeout: float) -> None:
    """Ask a server started in its own process group to stop; kill the group if it will not."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(stop_signal)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # The command name may hold spaces and parentheses: the fields follow the last ')'.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return children


class Gunicorn:
    """The site under gunicorn with `gunicorn.conf.py`, as `make run` serves it."""

    def __init__(self, env: dict[str, str], *, workers: int = 5, log_path: Path):
        self.port = free_port()
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.env["WEB_CONCURRENCY"] = str(workers)
        self.workers = workers
        self.log_path = log_path
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gunicorn":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [VENV_BIN / "gunicorn", "--config", "gunicorn.conf.py", "kjnews.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self._answers, timeout=60, what=f"gunicorn on {self.url} (log: {self.log_path})")
        wait_until(
            lambda: len(self.worker_pids()) == self.workers,
            timeout=30,
            what=f"{self.workers} gunicorn workers",
        )
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {self.log_path}:\n{self.log()[-3000:]}")
        with contextlib.suppress(OSError):
            return Reader(self.url).get("/healthz").status == 200
        return False

    def worker_pids(self) -> list[int]:
        return _children_of(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self):
        process_stop(self.process, signal.SIGTERM, timeout=25)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RedisServer:
    """A Redis of the test's own on a free port, which the test may stop, start, pause, resume."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        if self.process is not None and self.process.poll() is None:
            return self  # `with redis.start():` enters the server it started
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server")
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), *options, "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection,
        ):
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
        return False

    def stop(self):
        """Gone: its port refuses connections."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self):
        """Silent: the kernel still accepts connections on its port, but nothing ever answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class SilentListener:
    """A port that accepts TCP connections (the kernel's backlog) and never reads or answers."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(512)
        self.port = self.socket.getsockname()[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.socket.close()


def refused_port() -> int:
    """A port nothing listens on, so connecting is refused at once."""
    return free_port()


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (Debian's server binaries), which it may restart."""

    def __init__(self):
        initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not initdb:
            raise RuntimeError(
                "PostgreSQL's server binaries are missing: apt-get install postgresql"
            )
        self.bin = initdb[-1].parent
        # Not under pytest's tmp_path: as root the server runs as the postgres user, which must
        # be able to reach its folder.
        self.workdir = Path(tempfile.mkdtemp(prefix="kjnews-pg-"))
        self.data = self.workdir / "data"
        self.port = free_port()
        # initdb and postgres refuse to run as root: run them as the postgres user there.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = 120):
        done = subprocess.run(
            [*self.as_owner, *command], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}{done.stderr}")

    def create(self) -> "PostgresCluster":
        if self.as_owner:
            shutil.chown(self.workdir, "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        return self.start()

    def start(self) -> "PostgresCluster":
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.workdir / "server.log"),
            "-w",
            "start",
        )
        return self

    def stop(self, mode: str = "fast"):
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def ensure_running(self):
        if not self.is_running():
            self.start()

    def create_database(self, name: str):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )

    def __enter__(self):
        return self.create()

    def __exit__(self, *exc):
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop(mode="immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)


class PostgresReplica(PostgresCluster):
    """A streaming replica of `primary`, built as an operator would: `pg_basebackup -R` into a new
    data folder (which writes the connection to the primary and standby.signal), then started on
    a port of its own. Read-only; the test may pause its replay to make it lag, or stop it."""

    def __init__(self, primary: PostgresCluster):
        super().__init__()
        self.primary = primary

    def create(self) -> "PostgresReplica":
        if self.as_owner:
            shutil.chown(self.workdir, "postgres")
        # initdb's trust setup already lets 127.0.0.1 connect for replication (pg_hba.conf), and
        # PostgreSQL 15's defaults (wal_level=replica, max_wal_senders=10) allow streaming.
        self._run(
            str(self.bin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",
            "--wal-method=stream",
            "--checkpoint=fast",
        )
        return self.start()

    def _query(self, url, sql):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            return connection.execute(sql).fetchone()

    def pause_replay(self):
        """The replica keeps answering, with the data it had: it lags from now on."""
        self._query(self.url("postgres"), "SELECT pg_wal_replay_pause()")

    def resume_replay(self):
        self._query(self.url("postgres"), "SELECT pg_wal_replay_resume()")

    def wait_until_caught_up(self, timeout: float = 15):
        [target] = self._query(self.primary.url("postgres"), "SELECT pg_current_wal_lsn()")

        def replayed():
            [caught_up] = self._query(
                self.url("postgres"), f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            )
            return caught_up

        wait_until(replayed, timeout=timeout, what="the replica to replay the primary's changes")


class SwiftS3Server:
    """OpenStack Swift (Debian's packages) with its S3 API (`s3api`): a production object store,
    not an emulator. One folder holds its rings and its only disk; a proxy, the account,
    container and object servers and the memcached its auth needs all listen on free loopback
    ports. S3 credentials are tempauth's: access key `test:tester`, secret `testing`."""

    access_key = "test:tester"
    secret_key = "testing"
    region = "us-east-1"

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="kjnews-swift-"))
        self.port = free_port()
        self.processes = []

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write(self, name, text):
        (self.workdir / name).write_text(text)

    def start(self) -> "SwiftS3Server":
        if shutil.which("swift-proxy-server") is None or shutil.which("memcached") is None:
            raise RuntimeError(
                "OpenStack Swift is not installed: apt-get install swift-proxy swift-account "
                "swift-container swift-object memcached"
            )
        (self.workdir / "srv" / "d1").mkdir(parents=True)
        self._write(
            "swift.conf",
            "[swift-hash]\nswift_hash_path_suffix = kjnews-test\n"
            "[storage-policy:0]\nname = Policy-0\ndefault = yes\n",
        )
        user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
        common = (
            f"[DEFAULT]\nbind_ip = 127.0.0.1\nworkers = 0\nswift_dir = {self.workdir}\n"
            f"devices = {self.workdir / 'srv'}\nmount_check = false\nuser = {user}\n"
            "log_level = WARNING\n"
        )
        for kind in ("account", "container", "object"):
            port = free_port()
            builder = str(self.workdir / f"{kind}.builder")
            for args in (
                ["create", "0", "1", "0"],
                ["add", f"r1z1-127.0.0.1:{port}/d1", "1"],
                ["rebalance"],
            ):
                subprocess.run(
                    ["swift-ring-builder", builder, *args], capture_output=True, check=True
                )
            self._write(
                f"{kind}.conf",
                f"{common}bind_port = {port}\n[pipeline:main]\npipeline = {kind}-server\n"
                f"[app:{kind}-server]\nuse = egg:swift#{kind}\n",
            )
        memcached_port = free_port()
        filters = {
            "catch_errors": "catch_errors",
            "gatekeeper": "gatekeeper",
            "proxy-logging": "proxy_logging",
            "cache": f"memcache\nmemcache_servers = 127.0.0.1:{memcached_port}",
            "listing_formats": "listing_formats",
            "s3api": "s3api",
            "tempauth": f"tempauth\nuser_test_tester = {self.secret_key} .admin",
            "copy": "copy",
            "slo": "slo",
            "dlo": "dlo",
        }
        pipeline = " ".join([*filters, "proxy-logging", "proxy-server"])
        self._write(
            "proxy.conf",
            f"{common}bind_port = {self.port}\n[pipeline:main]\npipeline = {pipeline}\n"
            "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n"
            + "".join(f"[filter:{name}]\nuse = egg:swift#{use}\n" for name, use in filters.items()),
        )
        log = (self.workdir / "swift.log").open("ab")
        commands = [
            ["memcached", "-l", "127.0.0.1", "-p", str(memcached_port), "-U", "0", "-u", user],
            *(
                [f"swift-{kind}-server", str(self.workdir / f"{conf}.conf"), "-v"]
                for kind, conf in [
                    ("account", "account"),
                    ("container", "container"),
                    ("object", "object"),
                    ("proxy", "proxy"),
                ]
            ),
        ]
        for command in commands:
            self.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
        log.close()
        wait_until(self._answers, timeout=30, what=f"Swift's proxy on port {self.port}")
        return self

    def _answers(self) -> bool:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{process.args[0]} exited; see {self.workdir / 'swift.log'}:\n"
                    + (self.workdir / "swift.log").read_text(errors="replace")[-3000:]
                )
        with contextlib.suppress(OSError):
            return Reader(self.endpoint_url, timeout=2).get("/info").status == 200
        return False

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()  # the servers that did start
            raise

    def __exit__(self, *exc):
        self.stop()


NGINX_SITE = ROOT / "deploy" / "nginx" / "kjnews.conf"


class Nginx:
    """Debian's nginx running deploy/nginx/kjnews.conf itself in front of `upstream_port`.

    Only what ties the file to a production machine changes, each change checked to apply once
    so the file cannot drift from what is tested: its ports (a free loopback port for HTTP and
    one for HTTPS, no IPv6 listeners), the certificate (a self-signed one made with openssl for
    127.0.0.1), the log folder and the upstream. nginx runs in the foreground as the test's own
    process, with its pid file, temporary files and logs in a folder of its own."""

    def __init__(self, upstream_port: int, *, workdir: Path):
        self.upstream_port = upstream_port
        self.workdir = workdir
        self.http_port = free_port()
        self.tls_port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def access_log_path(self) -> Path:
        return self.workdir / "log" / "kjnews.access.log"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.workdir / "tls" / "fullchain.pem"))

    def reader(self, address: str) -> "Reader":
        return Reader(self.url, address=address, tls=self.tls_context())

    def _site(self) -> str:
        site = NGINX_SITE.read_text()
        changes = [
            ("    listen 80;\n", f"    listen 127.0.0.1:{self.http_port};\n"),
            ("    listen [::]:80;\n", ""),
            ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{self.tls_port} ssl http2;\n"),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("    server 127.0.0.1:8000;\n", f"    server 127.0.0.1:{self.upstream_port};\n"),
        ]
        for old, new in changes:
            if site.count(old) != 1:
                raise AssertionError(f"{NGINX_SITE} should hold {old.strip()!r} exactly once")
            site = site.replace(old, new)
        replacements = [
            ("/etc/letsencrypt/live/kjnews.example/", f"{self.workdir}/tls/", 2),
            ("/var/log/nginx/", f"{self.workdir}/log/", 3),
        ]
        for old, new, count in replacements:
            if site.count(old) != count:
                raise AssertionError(f"{NGINX_SITE} should name {old} {count} times")
            site = site.replace(old, new)
        return site

    def _certificate(self):
        tls = self.workdir / "tls"
        tls.mkdir()
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def start(self) -> "Nginx":
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed: apt-get install nginx")
        for folder in ("log", "logs", "temp"):
            (self.workdir / folder).mkdir(parents=True, exist_ok=True)
        self._certificate()
        (self.workdir / "kjnews.conf").write_text(self._site())
        temp = self.workdir / "temp"
        # As root nginx's workers would switch to nobody, who cannot enter the test's folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.workdir / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {self.workdir}/nginx.pid;\n"
            f"error_log {self.workdir}/log/error.log warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
            f"  scgi_temp_path {temp}/scgi;\n"
            f"  include {self.workdir}/kjnews.conf;\n}}\n"
        )
        output = (self.workdir / "log" / "nginx.out").open("ab")
        self.process = subprocess.Popen(
            [binary, "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output.close()
        wait_until(self._answers, timeout=20, what=f"nginx on port {self.tls_port}")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            log = (self.workdir / "log" / "nginx.out").read_text(errors="replace")
            raise RuntimeError(f"nginx exited:\n{log[-3000:]}")
        with contextlib.suppress(OSError):
            return Reader(self.url, tls=self.tls_context(), timeout=5).get("/healthz").status == 200
        return False

    def stop(self):
        # SIGQUIT is nginx's graceful stop: it finishes what is in flight.
        process_stop(self.process, signal.SIGQUIT, timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@dataclass
class Response:
    status: int
    headers: Message
    text: str

    def hidden_field(self, name: str) -> str:
        tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', self.text)
        if tag is None:
            raise LookupError(f"no field {name!r} on the page")
        return _unescape(re.search(r'\bvalue="([^"]*)"', tag.group(0)).group(1))

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


@dataclass
class Reader:
    """One anonymous reader: their own loopback address and their own cookies."""

    base_url: str
    address: str = "127.0.0.1"
    timeout: float = 60
    cookies: dict[str, str] = field(default_factory=dict)
    # For an https:// base URL: the context that trusts its certificate.
    tls: ssl.SSLContext | None = None

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None):
        body = urlencode(fields).encode()
        # A browser names the page's origin on every form post (Django checks it over HTTPS).
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.base_url,
            **(headers or {}),
        }
        return self.request("POST", path, body=body, headers=headers)

    def request(self, method, path, *, body=None, headers=None) -> Response:
        split = urlsplit(self.base_url)
        if split.scheme == "https":
            connection = HTTPSConnection(
                split.hostname,
                split.port,
                timeout=self.timeout,
                source_address=(self.address, 0),
                context=self.tls,
            )
        else:
            connection = HTTPConnection(
                split.hostname, split.port, timeout=self.timeout, source_address=(self.address, 0)
            )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(answer.status, answer.headers, text)

    def open_comment_form(self, article_path: str) -> dict[str, str]:
        """Loads the article page as a browser would: the form's hidden fields and the cookies."""
        page = self.get(article_path)
        if page.status != 200:
            raise AssertionError(f"{article_path} answered {page.status}")
        return {
            "csrfmiddlewaretoken": page.hidden_field("csrfmiddlewaretoken"),
            "started": page.hidden_field("started"),
        }

    def post_comment(
        self, article_path: str, form: dict[str, str], *, body: str, name="", headers=None
    ):
        fields = {**form, "name": name, "body": body, "website": ""}
        return self.post(article_path.rstrip("/") + "/comments/", fields, headers=headers)


def readers(base_url: str, count: int) -> list[Reader]:
    """`count` readers, each at an address of their own: 127.1.0.1, 127.1.0.2, …"""
    return [Reader(base_url, address=f"127.1.{n // 250}.{n % 250 + 1}") for n in range(count)]
