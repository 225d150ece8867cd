"""Benchmark: score one province of 7,000 schools × 45 responses (315,000 responses).

    .venv/bin/python bench/score_round.py [--schools 7000] [--database-url URL] [--naive-sample 200]

Generates the round with `synth_round` (default instrument: 100 questionnaire sub-indicators, so
about 100 answers per response), then measures in the same run, each `--repeat` times (warm: the
database's pages are in the OS cache after the first pass; the best and the spread are recorded):
  - engine: `manage.py score_round` in a fresh process, database → stored school and region scores
    (wall time and peak RSS of that process);
  - floor: the same scores the shortest honest way, in this process: one SQL read of every packed
    answer of the round (a plain cursor, binary on PostgreSQL), decode, one weighted bincount for the
    whole province, vectorised Y/S/means (`scoring.scores`), totals and levels; no flags, no writes;
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


def floor_scores(round_, schools):
    """The round's scores the shortest honest way (see the module docstring); returns the answer count."""
    import numpy as np

    from mutu.mapping import scoring

    matrix = scoring.load_matrix(round_.instrument)
    school_ids = np.array([school_id for school_id, _level in schools])
    sql = (
        "SELECT school_id, respondent_type, packed FROM mapping_respondent"
        " WHERE round_id = %s AND submitted_at IS NOT NULL"
    )
    rows = [row for batch in scoring.fetch_batches(sql, [round_.pk], 100_000) for row in batch]
    n_types, n_subs = len(scoring.TYPES), len(matrix.sub_nodes)
    type_index = {t: i for i, t in enumerate(scoring.TYPES)}
    group = np.searchsorted(school_ids, np.fromiter((r[0] for r in rows), np.int64, len(rows))) * n_types
    group += np.fromiter((type_index[r[1]] for r in rows), np.int64, len(rows))
    lengths = np.fromiter((len(r[2]) // 4 for r in rows), np.int64, len(rows))
    options = np.frombuffer(b"".join(r[2] for r in rows), dtype="<i4")
    del rows
    k = matrix.option_sub[options]
    mapped = k >= 0
    cells = np.repeat(group, lengths)[mapped] * n_subs + k[mapped]
    size = len(schools) * n_types * n_subs
    sums = np.bincount(cells, weights=matrix.option_weight[options[mapped]], minlength=size)
    present = np.bincount(group, minlength=len(schools) * n_types).reshape(len(schools), n_types)
    tally = scoring.Tally(sums.reshape(len(schools), n_types, n_subs), present, np.zeros(len(schools), np.int64))
    values, _y = scoring.scores(matrix, tally, [level for _id, level in schools])
    scoring.totals_and_levels(matrix, values)
    return int(options.size)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=7000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
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

    engines = [
        timed_child([sys.executable, str(ROOT / "manage.py"), "score_round", "1"], env) for _ in range(options.repeat)
    ]
    failed = [run for run in engines if run["rc"]]
    if failed:
        raise SystemExit(failed[0]["err"])
    engine = min(engines, key=lambda run: run["s"])
    # The scoring itself, as the command reports it, without starting Python and Django.
    scoring_s = [float(run["out"].split(" dalam ")[1].split()[0]) for run in engines]

    setup_django(env)
    import numpy as np

    from mutu.mapping import scoring
    from mutu.mapping.models import Round, SchoolScore
    from mutu.schools.models import School

    round_ = Round.objects.get(pk=1)
    schools = list(School.objects.filter(province__code="14").order_by("id").values_list("id", "level"))
    school_ids = np.array([school_id for school_id, _level in schools])
    floors = []
    for _ in range(options.repeat):
        start = time.perf_counter()
        answers = floor_scores(round_, schools)
        floors.append(time.perf_counter() - start)
    floor_s = min(floors)

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
    position = {int(n): i for i, n in enumerate(scoring.load_matrix(round_.instrument).node_ids)}
    mismatches = sum(
        1
        for school_id, scores in naive.items()
        if school_id in stored
        for node_id, value in scores.items()
        if abs(stored[school_id][position[node_id]] - value) > 1e-9
    )

    result = {
        **stamp(),
        "backend": backend,
        "schools": int(len(school_ids)),
        "responses": Round.objects.get(pk=1).respondents.filter(submitted_at__isnull=False).count(),
        "answers": answers,
        "generate_s": round(generate_s, 1),
        "engine_s": round(engine["s"], 2),
        "engine_runs_s": [round(run["s"], 2) for run in engines],
        "engine_peak_rss_mb": round(engine["rss"], 1),
        "engine_report": engine["out"].strip(),
        "floor_s": round(floor_s, 3),
        "floor_runs_s": [round(run, 3) for run in floors],
        "engine_scoring_s": min(scoring_s),
        "engine_scoring_runs_s": scoring_s,
        "engine_to_floor": round(min(scoring_s) / floor_s, 2),
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
