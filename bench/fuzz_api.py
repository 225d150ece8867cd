"""Fuzzing the read API from its OpenAPI schema (schemathesis) with the tokens of three personas.

    .venv/bin/pip install schemathesis==4.32.5   # a bench tool, not a dependency of Mutu
    .venv/bin/python bench/fuzz_api.py [--seconds-per-persona 60] [--database-url URL]

Starts the demo under gunicorn (as bench/hostile_files.py), makes an API token for pusat (national),
dinas.kampar (one kab/kota) and kepsek (one school), and runs `st run` against /api/openapi.json for
each (all phases, 60 s each by default) with every check but `positive_data_acceptance` (valid-looking
ids outside the persona's scope are rightly 404).
The HAR report of each run is counted: requests sent, responses by status, and responses ≥ 500,
which must be 0. Results: bench/results/fuzz_api.jsonl.
"""

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from common import ROOT, demo_server, manage, record, stamp

PERSONAS = ["pusat", "dinas.kampar", "kepsek"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds-per-persona", type=int, default=60)
    options = parser.parse_args()
    st = Path(sys.executable).with_name("st")
    if not st.exists():
        raise SystemExit("schemathesis is not installed: .venv/bin/pip install schemathesis==4.32.5")
    with demo_server("fuzz", options.database_url) as (base, env, backend, _worker):
        result = {**stamp(), "backend": backend, "seconds_per_persona": options.seconds_per_persona, "personas": {}}
        for username in PERSONAS:
            token = manage(["create_api_token", username, "fuzz"], env, capture=True).stdout.strip()
            har = Path(env["MUTU_VAR_DIR"]) / f"{username}.har"
            done = subprocess.run(
                [
                    str(st), "run", f"{base}/api/openapi.json",
                    "-H", f"Authorization: Bearer {token}",
                    "--checks", "all",
                    "--exclude-checks", "positive_data_acceptance",
                    "--max-time", str(options.seconds_per_persona),
                    "--workers", "2", "--seed", "2026",
                    "--report", "har", "--report-har-path", str(har),
                ],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            (Path(env["MUTU_VAR_DIR"]) / f"{username}.txt").write_text(done.stdout)
            entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
            statuses = Counter(entry["response"]["status"] for entry in entries)
            result["personas"][username] = {
                "requests": len(entries),
                "statuses": dict(sorted(statuses.items())),
                "server_errors": sum(n for status, n in statuses.items() if status >= 500),
                "st_exit": done.returncode,
                "st_failures": sorted(set(line.strip() for line in done.stdout.splitlines() if line.startswith("- "))),
                "st_summary": done.stdout.strip().splitlines()[-12:],
            }
            print(username, result["personas"][username]["requests"], dict(statuses), flush=True)
        result["requests"] = sum(p["requests"] for p in result["personas"].values())
        result["server_errors"] = sum(p["server_errors"] for p in result["personas"].values())
    record("fuzz_api", result)


if __name__ == "__main__":
    main()
