"""The README's Performance table from var/bench.json: `manage.py bench --markdown` prints it after a run."""

from __future__ import annotations


def _num(value, pattern: str = "{:.1f}") -> str:
    return "" if value is None else pattern.format(value)


def markdown(report: dict) -> str:
    m = report["machine"]
    data = report["data"]
    lines = [
        f"{data['tickets']:,} tickets, {data['people']:,} people, {data['notes']:,} notes on {m['database']}"
        + (f" {m['sqlite']}" if m.get("sqlite") else "")
        + f"; {m['cores']} cores ({m['cpu']}), {m['memory']}, load average at start "
        + ", ".join(str(x) for x in m.get("load_average_at_start", []))
        + f"; Python {m['python']}, Django {m['django']}; {report['runs']} runs per row after warm-up.",
        "",
        "| Measurement | median ms | p90 ms | p95 ms | queries | target | result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in report["rows"]:
        target = []
        if row.get("target_ms") is not None:
            target.append(f"<= {row['target_ms']:g} ms")
        if row.get("max_queries") is not None:
            target.append(f"<= {row['max_queries']} queries")
        result = row["status"] if row["status"] != "-" else ""
        if row.get("error"):
            result = f"ERROR {row['error']}"
        elif row["status"] == "MISS" or (row.get("note") and row["status"] == "-"):
            result = f"{result} {row['note']}".strip()
        lines.append(
            f"| {row['name']} | {_num(row.get('median_ms'))} | {_num(row.get('p90_ms'))} | {_num(row.get('p95_ms'))} | "
            f"{_num(row.get('queries'), '{}')} | {', '.join(target)} | {result} |"
        )
    load = report.get("load")
    if load:
        lines += [
            "",
            f"Under load ({load['server']}; concurrency {load['concurrency']}, {load['seconds']} s):",
            "",
            "| Endpoint | requests | median ms | p99 ms | req/s | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for t in load["targets"]:
            lines.append(
                f"| {t['name']} | {t['requests']} | {_num(t['median_ms'])} | {_num(t['p99_ms'])} | "
                f"{_num(t['rps'])} | {t['errors']} |"
            )
        memory = ", ".join(f"{m.get('VmHWM', m.get('VmRSS'))} MB" for m in load["workers_memory_mb"].values())
        lines += [
            "",
            f"Total {load['total_rps']} req/s, {load['errors']} errors; workers' peak memory (VmHWM): {memory} "
            f"(target <= 200 MB each) -> {load['status']}.",
        ]
    return "\n".join(lines) + "\n"
