"""Diagnostic: memory of `manage.py score_round` per process, on a database an earlier bench made.

    .venv/bin/python bench/score_processes.py --database-url URL [--round 1]

Runs the command in this process (as `manage.py` does, system checks included) with the per-province
function wrapped: each province's child process reads its /proc/self/status when it starts and when
its province is written, and this process reads its own at the end. It shows what goal (b) of issue
#3 rests on: every child starts from the same state however many came before, the parent does not
grow with the number of provinces, and the spread of the children's peaks is that of province runs.
Run it on the one-province database of bench/score_round.py and on the national one of
bench/score_national.py. Linux only. Results are appended to bench/results/score_processes.jsonl.
"""

import argparse
import json
import tempfile
from pathlib import Path

from common import bench_env, record, setup_django, stamp

FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")


def memory():
    """MB of the FIELDS for this process."""
    with open("/proc/self/status") as status:
        values = {line.split(":")[0]: line.split()[1] for line in status if line.startswith(FIELDS)}
    return {name: round(int(values[name]) / 1024, 1) for name in FIELDS}


def spread(values):
    return [min(values), max(values)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="sqlite:////path/mutu.sqlite3 or postgresql://…")
    parser.add_argument("--round", type=int, default=1)
    options = parser.parse_args()

    env, backend = bench_env("processes", options.database_url, fresh=False)
    setup_django(env)
    from django.core.management import execute_from_command_line

    from mutu.mapping import scoring

    log = Path(tempfile.mkdtemp(prefix="mutu-processes-")) / "children.jsonl"  # the children append to it
    score_province = scoring._score_province

    def measured(round_, matrix, province):
        start = memory()
        result = score_province(round_, matrix, province)
        with log.open("a") as out:
            out.write(json.dumps({"province": province.code, "start": start, "end": memory()}) + "\n")
        return result

    scoring._score_province = measured
    before = memory()
    execute_from_command_line(["manage.py", "score_round", str(options.round)])  # system checks included
    after = memory()
    children = [json.loads(line) for line in log.read_text().splitlines()]
    record(
        "score_processes",
        {
            **stamp(),
            "backend": backend,
            "database": options.database_url,
            "round": options.round,
            "provinces": len(children),
            "parent_before_mb": before,
            "parent_after_mb": after,
            "child_start_rss_mb": spread([c["start"]["VmRSS"] for c in children]),
            "child_start_anon_mb": spread([c["start"]["RssAnon"] for c in children]),
            "child_peak_mb": spread([c["end"]["VmHWM"] for c in children]),
            "child_peaks_mb": {c["province"]: c["end"]["VmHWM"] for c in children},
        },
    )


if __name__ == "__main__":
    main()
