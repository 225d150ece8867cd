"""Diagnostic: memory of `manage.py score_round` slice by slice, on a database an earlier bench made.

    .venv/bin/python bench/score_slices.py --database-url URL [--round 1]

Runs the command in this process (as `manage.py` does, system checks included) with the slice function
wrapped, and reads /proc/self/status after every slice: the high-water mark (what ru_maxrss
reports), the resident set, and its anonymous and file-backed parts (SQLite's WAL index is
file-backed). It tells a peak that grows with the number of slices (retained memory, or the
largest of many transient peaks) from one set by the first slices. For goal (b) of issue #3, run it
on the one-province database of bench/score_round.py and on the national one of
bench/score_national.py, same code, same machine. Linux only.
Results are appended to bench/results/score_slices.jsonl (summary plus every 10th slice).
"""

import argparse

from common import bench_env, record, setup_django, stamp

FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")


def memory():
    """MB of the FIELDS for this process."""
    with open("/proc/self/status") as status:
        values = {line.split(":")[0]: line.split()[1] for line in status if line.startswith(FIELDS)}
    return {name: round(int(values[name]) / 1024, 2) for name in FIELDS}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="sqlite:////path/mutu.sqlite3 or postgresql://…")
    parser.add_argument("--round", type=int, default=1)
    options = parser.parse_args()

    env, backend = bench_env("slices", options.database_url, fresh=False)
    setup_django(env)
    from django.core.management import execute_from_command_line

    from mutu.mapping import scoring

    before = memory()
    slices = []
    score_schools = scoring._score_schools

    def measured(*args):
        scored = score_schools(*args)
        slices.append(memory())
        return scored

    scoring._score_schools = measured
    execute_from_command_line(["manage.py", "score_round", str(options.round)])  # system checks included
    after = memory()
    third = slices[min(2, len(slices) - 1)]  # the first slices set the working set; compare from there
    record(
        "score_slices",
        {
            **stamp(),
            "backend": backend,
            "database": options.database_url,
            "round": options.round,
            "slices": len(slices),
            "before_mb": before["VmRSS"],
            "peak_mb": after["VmHWM"],
            "peak_after_slice_3_mb": third["VmHWM"],
            "anon_growth_from_slice_3_mb": round(slices[-1]["RssAnon"] - third["RssAnon"], 2),
            "file_growth_from_slice_3_mb": round(slices[-1]["RssFile"] - third["RssFile"], 2),
            "every_10th_slice": slices[::10],
        },
    )


if __name__ == "__main__":
    main()
