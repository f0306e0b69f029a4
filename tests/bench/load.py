"""Driving a server with wrk: the Lua scripts the cases need, one run, and its parsed result.

Every script reports through the same `done()` hook, which prints one `BENCH` line with wrk's own
figures (latency percentiles in microseconds) and one `BENCH-STATUS` line per status code seen. A
script that defines `response()` makes wrk parse every answer, which costs client time, so plain
GETs leave it out and only the cases that must count statuses pay for it.
"""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPORT_LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d status_errors=%d "
    .. "connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
  local statuses, sent, accepted = {}, 0, {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do
      statuses[code] = (statuses[code] or 0) + n
    end
    sent = sent + (thread:get("counter") or 0)
    for _, number in ipairs(thread:get("accepted") or {}) do table.insert(accepted, number) end
  end
  for code, n in pairs(statuses) do io.write(string.format("BENCH-STATUS %d %d\\n", code, n)) end
  io.write(string.format("BENCH-SENT %d\\n", sent))
  io.write("BENCH-ACCEPTED " .. table.concat(accepted, ",") .. "\\n")
end
"""

COUNT_STATUSES_LUA = """
counter, statuses, accepted = 0, {}, {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- A comment's redirect names its number (#c-N): the bench checks each was stored once.
  local location = headers["Location"] or headers["location"]
  local number = location and string.match(location, "#c%-(%d+)$")
  if status == 302 and number then table.insert(accepted, tonumber(number)) end
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def get_script() -> str:
    """The same URL every time, as wrk does without a script (warm)."""
    return REPORT_LUA


def rotating_get_script(paths: list[str]) -> str:
    """GETs of each path in turn (the search cases' queries), statuses counted."""
    return (
        REPORT_LUA
        + COUNT_STATUSES_LUA
        + f"""
local paths = {{{", ".join(_lua_string(path) for path in paths)}}}
function request()
  counter = counter + 1
  return wrk.format(nil, paths[(counter - 1) % #paths + 1])
end
"""
    )


def cold_script(path: str) -> str:
    """A page rendered from scratch every time: `cpage=cold<thread>-<n>` asks for the latest
    page in a way the site never stores in its page cache (a non-canonical page number), so
    every request renders and none fills the cache."""
    joiner = "&" if "?" in path else "?"
    return (
        REPORT_LUA
        + COUNT_STATUSES_LUA
        + f"""
function request()
  counter = counter + 1
  return wrk.format(nil, {_lua_string(path + joiner)} .. "cpage=cold" .. id .. "-" .. counter)
end
"""
    )


def form_post_script(
    path_template: str,
    body_template: str,
    *,
    threads: int,
    rotate_over: int = 0,
    run_label: str = "",
    start_at: int = 0,
) -> str:
    """A form POST whose body is unique per request: `{tag}` becomes `<label><thread>-<n>`.

    With `rotate_over`, `{number}` in the path walks 1..rotate_over from `start_at` + 1, the
    threads taking turns, so consecutive requests address different rows.
    """
    path_parts = path_template.split("{number}")
    body_parts = body_template.split("{tag}")
    return (
        REPORT_LUA
        + COUNT_STATUSES_LUA
        + f"""
local path_parts = {{{", ".join(_lua_string(part) for part in path_parts)}}}
local body_parts = {{{", ".join(_lua_string(part) for part in body_parts)}}}
local rotate_over, thread_count, start_at = {rotate_over}, {threads}, {start_at}
local run_label = {_lua_string(run_label)}
function request()
  counter = counter + 1
  local tag = run_label .. id .. "-" .. counter
  local number = 0
  if rotate_over > 0 then
    number = ((counter - 1) * thread_count + id - 1 + start_at) % rotate_over + 1
  end
  local path = table.concat(path_parts, tostring(number))
  return wrk.format("POST", path, nil, table.concat(body_parts, tag))
end
"""
    )


def reaction_script(
    path: str, body_template: str, *, threads: int, rotate_over: int, pause_ms: int
) -> str:
    """A form POST whose body names comment `{number}`, walking 1..rotate_over, each connection
    pausing `pause_ms` between requests (readers react now and then, they do not hammer)."""
    body_parts = body_template.split("{number}")
    return (
        REPORT_LUA
        + COUNT_STATUSES_LUA
        + f"""
local body_parts = {{{", ".join(_lua_string(part) for part in body_parts)}}}
local rotate_over, thread_count = {rotate_over}, {threads}
function request()
  counter = counter + 1
  local number = ((counter - 1) * thread_count + id - 1) % rotate_over + 1
  return wrk.format("POST", {_lua_string(path)}, nil, table.concat(body_parts, tostring(number)))
end
function delay()
  return {pause_ms}
end
"""
    )


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    status_errors: int = 0  # answers with a status of 400 or more
    socket_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    sent: int = 0  # requests a scripted case built, answered or not
    accepted: list[int] = field(default_factory=list)  # comment numbers from 302 redirects

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class LoadSettings:
    threads: int
    connections: int
    seconds: int


def wrk_run(
    url: str, script: str, *, settings: LoadSettings, headers: dict[str, str], work_dir: Path
) -> tuple[LoadResult, str]:
    """One wrk run against `url`; returns the parsed result and wrk's whole output."""
    script_path = work_dir / "case.lua"
    script_path.write_text(script)
    command = [
        "wrk",
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{settings.seconds}s",
        # wrk leaves answers slower than its 2 s default out of the latency figures; a slow page
        # must show up in p99, not vanish from it.
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script_path),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    completed = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        timeout=settings.seconds + 60,
        check=True,
    )
    return load_result_parse(completed.stdout), completed.stdout + completed.stderr


def load_result_parse(output: str) -> LoadResult:
    result = LoadResult()
    for line in output.splitlines():
        if line.startswith("BENCH "):
            figures = dict(re.findall(r"(\w+)=(\d+)", line))
            result.requests = int(figures["requests"])
            result.seconds = int(figures["duration_us"]) / 1e6
            result.p50_ms = int(figures["p50_us"]) / 1000
            result.p99_ms = int(figures["p99_us"]) / 1000
            result.status_errors = int(figures["status_errors"])
            result.socket_errors = sum(
                int(figures[kind]) for kind in ("connect", "read", "write", "timeout")
            )
        elif line.startswith("BENCH-STATUS "):
            _tag, code, count = line.split()
            result.statuses[int(code)] = int(count)
        elif line.startswith("BENCH-SENT "):
            result.sent = int(line.split()[1])
        elif line.startswith("BENCH-ACCEPTED "):
            result.accepted = [int(n) for n in line.split(" ", 1)[1].split(",") if n.strip()]
    return result
