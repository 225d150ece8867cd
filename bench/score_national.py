"""Benchmark: the national case — one round over 220,000 schools × ~45 responses, scored province by province.

    .venv/bin/python bench/score_national.py [--schools 220000] [--database-url URL]
    .venv/bin/python bench/score_national.py --database-url URL --round ID   # score an existing round again

Generates schools in all 38 provinces and one national round with synthetic answers (in this
process), then runs `manage.py score_round` in a fresh process and records its wall time and peak
RSS (of the largest process in its tree: the command and the child it forks for each province).
The goal (issue #3) is under 15 minutes with peak memory no higher than the one-province case
(bench/score_round.py, 7,000 schools in one child; its record of the same commit and machine), since
no process holds more than one province.

With `--workers 1 2` (after generation, or on `--round`), the round is also scored the way the round
page asks for it: one task per province (`services.request_scoring`) taken by that many `db_worker`
processes at once (each with one BLAS thread, as the systemd unit runs them), the last one summing
the nation. Each count records its wall time (request to
the last worker's exit), the peak RSS of each worker, the speed-up over one worker, and whether the
national means are bit for bit those of the single-process `score_round` measured in the same run.
Goal (issue #24): with 2 workers on this 2-core machine, nation ≤ 60 s and speed-up ≥ 1.7.
Results are appended to bench/results/score_national.jsonl.
"""

import argparse
import json
import sys
import time
from datetime import date

from common import RESULTS, ROOT, bench_env, manage_or_exit, record, setup_django, stamp, timed_child


def generate(schools):
    """Schools in all 38 provinces and one national round with synthetic answers; (round, seconds)."""
    import numpy as np

    from mutu.mapping import services
    from mutu.mapping.synth import DEFAULT_QUOTAS, default_instrument, ensure_schools, generate_respondents
    from mutu.regions.models import Province

    start = time.perf_counter()
    rng = np.random.default_rng(220)
    round_ = services.create_round(
        actor=None,
        name="Pemetaan Mutu Nasional (sintetis)",
        year=2026,
        instrument=default_instrument(),
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
        quotas=DEFAULT_QUOTAS,
    )
    provinces = list(Province.objects.order_by("code"))
    per_province = schools // len(provinces)
    for index, province in enumerate(provinces):
        count = per_province + (schools % len(provinces) if index == 0 else 0)
        rows = ensure_schools(province, count, rng)
        generate_respondents(round_, rows, rng, quotas=DEFAULT_QUOTAS)
        print(f"{province.name}: {len(rows)} sekolah", flush=True)
    return round_, time.perf_counter() - start


def nation_means(round_):
    from mutu.mapping.models import RegionScore

    row = RegionScore.objects.get(round=round_, kind=RegionScore.Kind.NATION)
    return bytes(row.values), row.total, row.schools, row.with_rapor, row.level_counts


def by_workers(round_, env, counts):
    """The round scored by tasks, with each count of worker processes in turn."""
    import threading

    from mutu.accounts.models import User
    from mutu.mapping import services

    actor, _ = User.objects.get_or_create(username="bench.national")
    reference = nation_means(round_)
    worker = [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0.1",
    ]
    runs = []
    # As deploy/systemd/mutu-worker@.service runs them: one BLAS thread per worker process.
    env = {**env, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for count in counts:
        run, queued = services.request_scoring(actor=actor, round_=round_)
        assert queued, "another scoring run of this round is under way"
        results = [None] * count
        begin = time.perf_counter()

        def work(index, results=results):
            results[index] = timed_child(worker, env)

        threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - begin
        run.refresh_from_db()
        assert run.state == "done", (run.state, run.failure, [r["err"][-500:] for r in results])
        runs.append(
            {
                "workers": count,
                "s": round(elapsed, 1),
                "peak_rss_mb_per_worker": [round(r["rss"], 1) for r in results],
                "provinces": run.parts.count(),
                "rapor": run.rapor,
                "national_means_identical": nation_means(round_) == reference,
            }
        )
    one = next((r["s"] for r in runs if r["workers"] == 1), None)
    for entry in runs:
        entry["speed_up"] = round(one / entry["s"], 2) if one else None
    return runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=220_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--round", type=int, help="skip generation: score this round of --database-url again")
    parser.add_argument("--workers", type=int, nargs="*", default=[], help="also score by tasks with these counts")
    options = parser.parse_args()
    if options.round and not options.database_url:
        parser.error("--round needs the --database-url of an earlier run")

    env, backend = bench_env("national", options.database_url, fresh=not options.round)
    if options.round:
        setup_django(env)
        from mutu.mapping.models import Round

        round_, generate_s = Round.objects.get(pk=options.round), None
    else:
        manage_or_exit([["migrate", "--noinput"], ["load_regions"]], env)
        setup_django(env)
        round_, generate_s = generate(options.schools)
    from mutu.mapping.models import Respondent
    from mutu.schools.models import School

    schools = School.objects.count()
    responses = Respondent.objects.filter(round=round_, submitted_at__isnull=False).count()

    engine = timed_child([sys.executable, str(ROOT / "manage.py"), "score_round", str(round_.pk)], env)
    if engine["rc"]:
        raise SystemExit(engine["err"])
    one_province = None
    here = stamp()
    province_results = RESULTS / "score_round.jsonl"
    if province_results.exists():  # the one-province run of the same code, machine and backend
        same = [json.loads(line) for line in province_results.read_text().splitlines() if line.strip()]
        same = [
            r
            for r in same
            if (r["backend"], r.get("commit"), r["machine"]) == (backend, here["commit"], here["machine"])
        ]
        one_province = same[-1]["engine_peak_rss_mb"] if same else None
    result = {
        **here,
        "backend": backend,
        "schools": schools,
        "responses": responses,
        "generate_s": generate_s and round(generate_s, 1),
        "engine_s": round(engine["s"], 1),
        "engine_peak_rss_mb": round(engine["rss"], 1),
        "one_province_peak_rss_mb": one_province,
        "engine_report": engine["out"].strip(),
        "schools_per_s": round(schools / engine["s"]),
        # None: no one-province record of this code to compare with (run bench/score_round.py first).
        "goal_met": engine["s"] < 900 and engine["rss"] <= one_province if one_province else None,
    }
    if options.workers:
        result["by_workers"] = by_workers(round_, env, options.workers)
        two = next((r for r in result["by_workers"] if r["workers"] == 2), None)
        result["workers_goal_met"] = two and two["s"] <= 60 and (two["speed_up"] or 0) >= 1.7
    record("score_national", result)
    database = env.get("DATABASE_URL") or f"sqlite:///{env['MUTU_VAR_DIR']}/mutu.sqlite3"
    print(f"Next: .venv/bin/python bench/page_latency.py --database-url {database}")


if __name__ == "__main__":
    main()
