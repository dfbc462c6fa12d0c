"""`python -m bench [name ...] [-- args]`: run every benchmark (or the named ones), each in its own
process with a time limit, figures on stdout, logs in artifacts/bench/<name>.err.

Names: upstream, ingest, interaction, concurrency, callbacks, startup, batch, fleet_callbacks,
fleet_upstream, statements, mirror_write, history_fetch, search. Extra arguments after `--` go to a single
named benchmark, e.g.
`python -m bench upstream -- --minutes 0.5`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench._common import ROOT, stop_group

# name -> time limit in seconds (the whole suite stays under ~10 minutes on the 2-core machine)
BENCHMARKS = {
    "upstream": 300,
    "ingest": 180,
    "interaction": 180,
    "concurrency": 90,
    "callbacks": 90,
    "startup": 90,
    "batch": 120,
    "fleet_callbacks": 240,  # callback intake on PostgreSQL, one replica and two, against SQLite
    "fleet_upstream": 420,  # two replicas on one database and one sandbox: /ibans and duplicated work
    "statements": 240,  # a year of one IBAN (50k rows) as PDF and XLSX
    "mirror_write": 900,  # issue 13: 1M rows into the history mirror on SQLite and PostgreSQL, read back, memory
    "history_fetch": 480,  # issue 13: a cold year of 1M rows (console vs bare httpx), warm refresh, restart
    "search": 240,  # all-time search over 1M mirrored rows against DuckDB (issue 13)
}


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    logs = ROOT / "artifacts" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    summary, started = [], time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        with open(logs / f"{name}.err", "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", f"bench.{name}", *(extra if len(names) == 1 else [])],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            lines: list[str] = []
            try:
                for raw in proc.stdout:  # stream the figures as they come
                    line = raw.decode(errors="replace")
                    lines.append(line)
                    sys.stdout.write(line)
                    sys.stdout.flush()
                    if time.perf_counter() - t0 > BENCHMARKS[name]:
                        raise subprocess.TimeoutExpired(proc.args, BENCHMARKS[name])
                proc.wait(max(1, BENCHMARKS[name] - (time.perf_counter() - t0)))
                status = "ok" if proc.returncode == 0 else f"exit {proc.returncode} (see {logs / (name + '.err')})"
            except subprocess.TimeoutExpired:
                status = f"TIMEOUT after {BENCHMARKS[name]} s"
            finally:
                stop_group(proc)
        marks = [line.strip() for line in lines if "[PASS]" in line or "[MISS]" in line]
        summary.append((name, status, time.perf_counter() - t0, marks))
    print(f"\n== summary ({time.perf_counter() - started:.0f} s) ==")
    for name, status, took, marks in summary:
        print(f"{name} ({took:.0f} s, {status})")
        for m in marks:
            print(f"  {m}")
    misses = sum("[MISS]" in m for _, _, _, marks in summary for m in marks)
    failed = sum(status != "ok" for _, status, _, _ in summary)
    print(f"{misses} target(s) missed, {failed} benchmark(s) failed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
