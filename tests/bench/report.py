"""The bench's report: figures as ratios to the run's own baselines, targets, and the machine.

`results_build` gathers everything into one JSON-ready dict (saved as var/bench/<time>.json);
`markdown` renders that dict, so the printed table and the saved one never disagree.
"""

import json
import os
import platform
import subprocess
from pathlib import Path

ROLE_NAMES = {"floor": "floor", "insert": "insert baseline", "static": "static"}

FOOTNOTES = [
    "**floor**: a plain Django view returning an `HttpResponse` of exactly the article page's size "
    "through the full middleware stack, under the same gunicorn. Pages are compared with it; "
    "POSTs with the **insert baseline** (CSRF-checked form post, one INSERT, a redirect). "
    "**static** is nginx serving a file of the same size, where nginx is installed: the machine's "
    "limit, compared with the floor.",
    "**warm**: the same URL again and again, after a short unrecorded warm-up (POSTs are warmed "
    "up too, with other bodies). **cold**: Redis "
    "flushed right before the case and every request renders the page from scratch: "
    "`?cpage=cold<thread>-<n>` asks for the latest comments in a form the page cache never "
    "stores; PostgreSQL's buffers and the OS file cache stay warm.",
    "**worker RSS**: the largest gunicorn worker's resident memory right after the case. "
    "**SQL/req**: queries for one request, counted with `CaptureQueriesContext` through Django's "
    "test client in the bench process, on the same database, cache and settings as gunicorn "
    "(the second request for warm cases).",
    "**p50/p99**: wrk's latency percentiles, with the ratio to the baseline's. **errors**: answers "
    "other than the expected status (200, or 302 for POSTs), plus socket errors and timeouts "
    "(10 s). A case with errors fails its target whatever its speed.",
    "**search** rows are sent by one connection, one request at a time, each `?q=` in turn: "
    "their targets are absolute (the time a reader waits: p50 < 50 ms, p99 < 200 ms), not a "
    "share of the floor. The notes give each word's matches and its own median and slowest time "
    "over 15 requests sent one after another.",
    "**comment POST** goes to a new, empty article each run; **report POST** walks comments "
    "1..10,000 of the hot thread, one per request, so once wrk has reported each comment the "
    "rest of the requests take the 'already reported' path (both are real paths, both 302).",
]


def _format_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _format_ms(value: float) -> str:
    if value < 10:
        return f"{value:.2f} ms"
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def _format_share(value: float) -> str:
    """42%, with a decimal below 10% so small shares still compare; 12× for the static server."""
    if value < 0.1:
        return f"{value:.1%}"
    return f"{value:.0%}" if value < 10 else f"{value:,.0f}×"


def memory_summary(memory, *, workers: int, target_mb: int) -> dict:
    """Peak resident memory of each worker seen (VmHWM) and the current one of those alive."""
    alive = memory.alive()
    peaks_mb = sorted((kb * 1024 / 1e6 for kb in memory.peak_kb.values()), reverse=True)
    current_mb = sorted(
        memory.last_rss_kb[pid] * 1024 / 1e6 for pid in alive if pid in memory.last_rss_kb
    )
    peak = peaks_mb[0] if peaks_mb else 0.0
    return {
        "workers": workers,
        "workers_seen": len(memory.peak_kb),
        "peak_mb": round(peak, 1),
        "peaks_mb": [round(value, 1) for value in peaks_mb],
        "current_mb": [round(value, 1) for value in current_mb],
        "target_mb": target_mb,
        "passed": bool(peaks_mb) and peak < target_mb,
    }


def _case_row(outcome, by_role: dict) -> dict:
    case, result = outcome.case, outcome.result
    row = {
        "case": case.name,
        "url": outcome.url,
        "skipped": outcome.skipped,
        "notes": outcome.notes,
        "baseline": case.baseline,
        "target": case.target,
        "role": case.role,
        "queries": outcome.queries,
        "rss_mb": None if outcome.rss_mb is None else round(outcome.rss_mb, 1),
    }
    if result is None:
        return row
    row.update(
        requests=result.requests,
        requests_per_second=round(result.requests_per_second, 1),
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        errors=outcome.errors,
        statuses=result.statuses,
    )
    baseline = by_role.get(case.baseline)
    if baseline is not None and baseline.result and baseline.result.requests:
        base = baseline.result
        row["share"] = round(result.requests_per_second / base.requests_per_second, 3)
        row["p50_ratio"] = round(result.p50_ms / base.p50_ms, 2) if base.p50_ms else None
        row["p99_ratio"] = round(result.p99_ms / base.p99_ms, 2) if base.p99_ms else None
    if case.target is not None:
        row["passed"] = row.get("share", 0) >= case.target and not outcome.errors
    if case.latency_ms is not None:
        row["latency_target_ms"] = list(case.latency_ms)
        p50_limit, p99_limit = case.latency_ms
        row["passed"] = (
            result.p50_ms < p50_limit and result.p99_ms < p99_limit and not outcome.errors
        )
    return row


def _targets(rows: list[dict], outcomes, memory: dict) -> list[dict]:
    targets = []
    for row in rows:
        if "latency_target_ms" in row:
            p50_limit, p99_limit = row["latency_target_ms"]
            detail = (
                f"p50 {_format_ms(row['p50_ms'])}, needs < {p50_limit:.0f} ms; "
                f"p99 {_format_ms(row['p99_ms'])}, needs < {p99_limit:.0f} ms"
            )
            if row["errors"]:
                detail += f", {row['errors']:,} errors"
            targets.append({"target": row["case"], "passed": row["passed"], "detail": detail})
        elif "passed" in row:
            baseline = ROLE_NAMES[row["baseline"]]
            detail = (
                f"{_format_share(row.get('share', 0))} of {baseline}, needs ≥ {row['target']:.0%}"
            )
            if row["errors"]:
                detail += f", {row['errors']:,} errors"
            targets.append({"target": row["case"], "passed": row["passed"], "detail": detail})
    for outcome in outcomes:
        if outcome.check is not None:
            targets.append(
                {
                    "target": f"{outcome.case.name}: each accepted post stored once, gapless",
                    "passed": outcome.check["passed"],
                    "detail": outcome.check["summary"],
                }
            )
    targets.append(
        {
            "target": f"every gunicorn worker under {memory['target_mb']} MB RSS",
            "passed": memory["passed"],
            "detail": f"peak {memory['peak_mb']} MB",
        }
    )
    return targets


def machine_info(bench) -> dict:
    from django import get_version
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    from tests.bench.servers import nginx_version

    return {
        "host": platform.node(),
        "cpu": cpu,
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": round(memory_kb / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": get_version(),
        "postgresql": postgres.split()[0],
        "wrk": _first_line(["wrk", "-v"]).split()[1],
        "nginx": nginx_version(),
        "load": f"wrk -t{bench.load_settings.threads} -c{bench.load_settings.connections} "
        f"-d{bench.load_settings.seconds}s --latency --timeout 10s",
    }


def _first_line(command: list[str]) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    return (completed.stdout or completed.stderr).splitlines()[0]


def results_build(
    *, outcomes, memory, data_report, bench, total_seconds, finished, load_average
) -> dict:
    by_role = {outcome.case.role: outcome for outcome in outcomes if outcome.case.role}
    rows = [_case_row(outcome, by_role) for outcome in outcomes]
    targets = _targets(rows, outcomes, memory)
    return {
        "finished": finished.isoformat(timespec="seconds"),
        "machine": machine_info(bench),
        "data": data_report,
        "page_bytes": bench.page_bytes,
        "total_seconds": round(total_seconds, 1),
        # Other work on the machine skews every row; the 1-minute load average shows how much.
        "load_average": {"before": round(load_average[0], 2), "after": round(load_average[1], 2)},
        "cases": rows,
        "memory": memory,
        "targets": targets,
    }


def _table_line(row: dict) -> str:
    if row["skipped"]:
        return f"| {row['case']} | {row['skipped']} | | | | | | | |"
    share = row.get("share")
    versus = (
        f"{_format_share(share)} of {ROLE_NAMES[row['baseline']]}" if share is not None else "—"
    )
    if row["role"]:
        versus = "= 100%" if share is None else versus
    if "latency_target_ms" in row:
        versus = "1 at a time"

    def latency(key):
        ratio = row.get(f"{key}_ratio")
        return _format_ms(row[f"{key}_ms"]) + (f" (×{ratio:.1f})" if ratio else "")

    queries = "—" if row["queries"] is None else str(row["queries"])
    rss = "—" if row["rss_mb"] is None else f"{row['rss_mb']:.0f} MB"
    target = "—"
    if "latency_target_ms" in row:
        p50_limit, p99_limit = row["latency_target_ms"]
        target = (
            f"p50 < {p50_limit:.0f} ms, p99 < {p99_limit:.0f} ms: "
            f"**{'PASS' if row['passed'] else 'FAIL'}**"
        )
    elif "passed" in row:
        target = f"≥ {row['target']:.0%}: **{'PASS' if row['passed'] else 'FAIL'}**"
    return (
        f"| {row['case']} | {_format_rate(row['requests_per_second'])} | {versus} "
        f"| {latency('p50')} | {latency('p99')} | {row['errors']:,} | {queries} | {rss} "
        f"| {target} |"
    )


def markdown(results: dict) -> str:
    machine, memory, data = results["machine"], results["memory"], results["data"]
    lines = [
        f"### `make bench`, {results['finished']}",
        "",
        f"Machine: {machine['host']}, {machine['cpu']}, {machine['nproc']} CPUs, "
        f"{machine['memory_gib']} GiB; Linux {machine['kernel']}; Python {machine['python']}, "
        f"Django {machine['django']}, PostgreSQL {machine['postgresql']}, wrk {machine['wrk']}, "
        f"nginx {machine['nginx']}. Load: `{machine['load']}`, gunicorn as `make run` starts it "
        f"({memory['workers']} workers). Article page: {results['page_bytes']:,} bytes. "
        f"Data {data['data']} in {data['seconds']:,.0f} s; "
        f"whole run {results['total_seconds']:,.0f} s. Load average (1 min) before the run "
        f"{results['load_average']['before']}, after {results['load_average']['after']}.",
        "",
        "| Case | req/s | vs baseline | p50 | p99 | errors | SQL/req | worker RSS | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *(_table_line(row) for row in results["cases"]),
        "",
        f"Gunicorn workers: peak RSS {memory['peak_mb']} MB (target < {memory['target_mb']} MB: "
        f"**{'PASS' if memory['passed'] else 'FAIL'}**); {memory['workers_seen']} worker processes "
        f"seen (max_requests recycles them), peaks {', '.join(map(str, memory['peaks_mb']))} MB; "
        f"alive at the end: {', '.join(map(str, memory['current_mb']))} MB.",
        "",
    ]
    lines += [f"- {row['case']}: {note}" for row in results["cases"] for note in row["notes"]]
    lines += ["", *(f"- {note}" for note in FOOTNOTES), "", summary_line(results)]
    return "\n".join(lines)


def summary_line(results: dict) -> str:
    targets = results["targets"]
    failing = [t for t in targets if not t["passed"]]
    if not failing:
        return f"**All {len(targets)} targets pass.**"
    named = "; ".join(f"{t['target']}: {t['detail']}" for t in failing)
    return f"**{len(targets) - len(failing)} of {len(targets)} targets pass. Failing: {named}.**"


def save(results: dict, text: str, output_dir: Path, finished) -> None:
    (output_dir / "latest.md").write_text(text + "\n")
    stamped = output_dir / f"{finished:%Y%m%d-%H%M%S}.json"
    stamped.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
