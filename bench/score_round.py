"""Benchmark: score one province of 7,000 schools × 45 responses (315,000 responses).

    .venv/bin/python bench/score_round.py [--schools 7000] [--database-url URL] [--naive-sample 200]

Generates the round with `synth_round` (default instrument: 100 questionnaire sub-indicators, so
about 100 answers per response), then measures in the same run:
  - engine: `manage.py score_round` in a fresh process, database → stored school and region scores
    (wall time and peak RSS of that process);
  - floor: the same scores from arrays already in memory (`scoring.compute` alone);
  - naive: a per-school ORM implementation (one query per school, a Python loop per answer) on a
    sample of schools, extrapolated to the province.
Results are appended to bench/results/score_round.jsonl. Goal (issue #3): engine < 20 s, < 1.5 GB.
"""

import argparse
import sys
import time

from common import ROOT, bench_env, manage, manage_or_exit, record, setup_django, stamp, timed_child


def naive_scores(round_id, school_ids):
    """The formula written the obvious way: per school, per respondent, per answer."""
    from collections import defaultdict

    import numpy as np

    from mutu.instruments.models import Node, Option, RoleWeight
    from mutu.mapping.models import Respondent, Round

    round_ = Round.objects.get(pk=round_id)
    conversion = {
        o.id: (o.subindicator_id, o.weight)
        for o in Option.objects.filter(question__questionnaire__version=round_.instrument, subindicator__isnull=False)
    }
    weights = defaultdict(dict)
    for w in RoleWeight.objects.filter(node__version=round_.instrument):
        weights[w.node_id][w.respondent_type] = w.weight
    subs = list(Node.objects.filter(version=round_.instrument, kind="sub", source="questionnaire"))
    results = {}
    for school_id in school_ids:
        x = defaultdict(lambda: defaultdict(list))
        for respondent in Respondent.objects.filter(round=round_, school_id=school_id, submitted_at__isnull=False):
            per_sub = defaultdict(float)
            for option_id in np.frombuffer(bytes(respondent.packed), dtype="<i4"):
                sub, weight = conversion[int(option_id)]
                per_sub[sub] += weight
            for sub in subs:
                x[sub.id][respondent.respondent_type].append(per_sub.get(sub.id, 0.0))
        scores = {}
        for sub in subs:
            present = {r: sum(v) / len(v) for r, v in x[sub.id].items() if v}
            denominator = sum(weights[sub.id].get(r, 0) for r in present)
            if denominator:
                scores[sub.id] = 7 * sum(weights[sub.id].get(r, 0) * y for r, y in present.items()) / denominator
        results[school_id] = scores
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=7000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--naive-sample", type=int, default=200)
    # Every school sends, so the round holds the 7,000 × 45 = 315,000 responses; the
    # national bench keeps the usual 5% of "tidak kirim" schools.
    parser.add_argument("--not-sent", default="0")
    options = parser.parse_args()

    env, backend = bench_env("score", options.database_url)
    manage_or_exit([["migrate", "--noinput"], ["load_regions", "--province", "14"]], env)
    start = time.perf_counter()
    generated = manage(
        ["synth_round", "14", "--schools", str(options.schools), "--not-sent", options.not_sent], env, capture=True
    )
    if generated.returncode:
        raise SystemExit(generated.stderr)
    generate_s = time.perf_counter() - start

    engine = timed_child([sys.executable, str(ROOT / "manage.py"), "score_round", "1"], env)
    if engine["rc"]:
        raise SystemExit(engine["err"])

    setup_django(env)
    import numpy as np

    from mutu.mapping import scoring
    from mutu.mapping.models import Round, SchoolScore
    from mutu.schools.models import School

    round_ = Round.objects.get(pk=1)
    matrix = scoring.load_matrix(round_.instrument)
    schools = list(School.objects.filter(province__code="14").order_by("id").values_list("id", "level"))
    school_ids = np.array([school_id for school_id, _level in schools])
    arrays = [np.concatenate(parts) for parts in zip(*scoring.respondent_batches(round_, school_ids), strict=True)]
    start = time.perf_counter()
    values = scoring.compute(matrix, [level for _id, level in schools], *arrays)
    scoring.totals_and_levels(matrix, values)
    floor_s = time.perf_counter() - start

    sample = [int(i) for i in school_ids[: options.naive_sample]]
    start = time.perf_counter()
    naive = naive_scores(1, sample)
    naive_sample_s = time.perf_counter() - start
    naive_province_s = naive_sample_s * len(school_ids) / len(sample)

    # The engine and the naive version must agree where both give a number.
    stored = {
        s.school_id: np.frombuffer(bytes(s.values), dtype="<f8")
        for s in SchoolScore.objects.filter(round=round_, school_id__in=sample)
    }
    position = {int(n): i for i, n in enumerate(matrix.node_ids)}
    mismatches = sum(
        1
        for school_id, scores in naive.items()
        if school_id in stored
        for node_id, value in scores.items()
        if abs(stored[school_id][position[node_id]] - value) > 1e-9
    )

    responses = int(arrays[1].size)
    result = {
        **stamp(),
        "backend": backend,
        "schools": int(len(school_ids)),
        "responses": responses,
        "answers": int(arrays[3].size),
        "generate_s": round(generate_s, 1),
        "engine_s": round(engine["s"], 2),
        "engine_peak_rss_mb": round(engine["rss"], 1),
        "engine_report": engine["out"].strip(),
        "floor_numpy_s": round(floor_s, 3),
        "engine_to_floor": round(engine["s"] / floor_s, 1),
        "naive_sample_schools": len(sample),
        "naive_sample_s": round(naive_sample_s, 2),
        "naive_province_estimate_s": round(naive_province_s, 1),
        "naive_to_engine": round(naive_province_s / engine["s"], 1),
        "naive_engine_mismatches": mismatches,
        "goal_met": engine["s"] < 20 and engine["rss"] < 1536,
    }
    record("score_round", result)


if __name__ == "__main__":
    main()
