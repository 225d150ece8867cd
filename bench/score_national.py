"""Benchmark: the national case — one round over 220,000 schools × ~45 responses, scored province by province.

    .venv/bin/python bench/score_national.py [--schools 220000] [--database-url URL]
    .venv/bin/python bench/score_national.py --database-url URL --round ID   # score an existing round again

Generates schools in all 38 provinces and one national round with synthetic answers (in this
process), then runs `manage.py score_round` in a fresh process and records its wall time and peak
RSS (of the largest process in its tree: the command and the child it forks for each province).
The goal (issue #3) is under 15 minutes with peak memory no higher than the one-province case
(bench/score_round.py, 7,000 schools in one child; its record of the same commit and machine), since
no process holds more than one province.
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=220_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--round", type=int, help="skip generation: score this round of --database-url again")
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
    record("score_national", result)
    database = env.get("DATABASE_URL") or f"sqlite:///{env['MUTU_VAR_DIR']}/mutu.sqlite3"
    print(f"Next: .venv/bin/python bench/page_latency.py --database-url {database}")


if __name__ == "__main__":
    main()
