"""Benchmark: the per-region golden-thread overview for a province of 7,000 schools with plans.

    .venv/bin/python bench/cycle_overview.py [--schools 7000] [--database-url URL] [--requests 30]

Builds, in a fresh database, one province of `--schools` schools (SD, its kab/kota and kecamatan of
the demo's region data) each with a 2026 cycle, three chosen problems and a program of four
activities (two done, one evaluated program per two schools), bulk-inserted. Then, warm, it renders
through Django's test client, `--requests` times each:
  - the LPMP's overview page (/cycle/overview/): counts over the whole province;
  - a school's golden-thread page (random schools);
and records p50/p95 time and the SQL queries per page. The honest reference, measured in the same
run and warm: the same three reads with a plain cursor, joined in Python (no ORM, template or
scope). Results: bench/results/cycle_overview.jsonl.
"""

import argparse
import random
import time

from common import bench_env, manage_or_exit, record, setup_django, stamp

SUBS = ["1.1.1", "1.1.2", "1.2.1", "2.1.1"]


def build(schools):
    from datetime import date

    from django.db import transaction

    from mutu.accounts.models import Membership, User
    from mutu.cycle.models import Activity, CycleDocument, Evaluation, Problem, Program, SchoolCycle
    from mutu.instruments.models import Node
    from mutu.mapping.synth import default_instrument
    from mutu.regions.models import District, Province
    from mutu.schools.models import School

    province = Province.objects.get(code="14")
    districts = list(District.objects.filter(regency__province=province))
    version = default_instrument()
    nodes = list(Node.objects.filter(version=version, kind=Node.Kind.SUBINDICATOR).order_by("position")[:40])
    from mutu.mapping.models import Round

    round_ = Round.objects.create(
        name="Bench", year=2026, instrument=version, province=province, opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31), quotas={},
    )  # fmt: skip
    with transaction.atomic():
        schools_rows = []
        for n in range(schools):
            district = districts[n % len(districts)]
            schools_rows.append(
                School(
                    npsn=f"9{n:07d}", name=f"SD Bench {n}", level="SD", status="negeri", district=district,
                    regency_id=district.regency_id, province=province,
                )
            )  # fmt: skip
        School.objects.bulk_create(schools_rows, batch_size=2000)
        school_ids = list(School.objects.filter(npsn__startswith="9").values_list("id", flat=True))
        SchoolCycle.objects.bulk_create([SchoolCycle(school_id=s, year=2026) for s in school_ids], batch_size=2000)
        cycles = list(SchoolCycle.objects.filter(year=2026).values_list("id", flat=True))
        CycleDocument.objects.bulk_create(
            [
                CycleDocument(cycle_id=c, step=step)
                for c in cycles
                for step in ("pemetaan", "perencanaan", "pelaksanaan", "monev", "standar")
            ],
            batch_size=5000,
        )
        rng = random.Random(7)
        problems = []
        for c in cycles:
            for position, node in enumerate(rng.sample(nodes, 3), start=1):
                problems.append(
                    Problem(
                        cycle_id=c,
                        node=node,
                        round=round_,
                        position=position,
                        problem="p",
                        root_cause="r",
                        recommendation="x",
                    )
                )
        Problem.objects.bulk_create(problems, batch_size=5000)
        Program.objects.bulk_create([Program(cycle_id=c, name="Program") for c in cycles], batch_size=5000)
        programs = dict(Program.objects.values_list("cycle_id", "id"))
        common = {"year": 2026, "indicator": "i", "target": "t", "volume": 1, "unit": "kali", "unit_cost": 500_000,
                  "fund_source": "bos", "months": [3], "person_in_charge": "p"}  # fmt: skip
        activities = [
            Activity(program_id=programs[c], name=f"Kegiatan {k}", status="selesai" if k < 2 else "belum", **common)
            for c in cycles
            for k in range(4)
        ]
        Activity.objects.bulk_create(activities, batch_size=5000)
        through = Activity.nodes.through
        chosen = {c: [p.node_id for p in problems_of] for c, problems_of in _by_cycle(problems).items()}
        rows = []
        for activity_id, program_id in Activity.objects.values_list("id", "program_id"):
            cycle_id = _cycle_of(programs, program_id)
            rows.append(through(activity_id=activity_id, node_id=chosen[cycle_id][activity_id % 3]))
        through.objects.bulk_create(rows, batch_size=5000)
        Evaluation.objects.bulk_create(
            [
                Evaluation(program_id=p, dimension="output", target="t", achieved="a", met=True)
                for c, p in programs.items()
                if c % 2
            ],
            batch_size=5000,
        )
        user, _ = User.objects.get_or_create(username="bench.lpmp")
        Membership.objects.get_or_create(user=user, role="admin_lpmp", province=province, valid_from=date(2026, 1, 1))
    return user, school_ids


def _by_cycle(problems):
    grouped = {}
    for problem in problems:
        grouped.setdefault(problem.cycle_id, []).append(problem)
    return grouped


_REVERSE = {}


def _cycle_of(programs, program_id):
    if not _REVERSE:
        _REVERSE.update({p: c for c, p in programs.items()})
    return _REVERSE[program_id]


def timed(client, url, connection, repeat):
    from django.test.utils import CaptureQueriesContext

    client.get(url() if callable(url) else url)  # warm
    times, queries = [], set()
    for _ in range(repeat):
        target = url() if callable(url) else url
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(target)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (target, response.status_code)
        queries.add(len(captured))
    times.sort()
    return {"p50_ms": round(times[len(times) // 2] * 1000, 1), "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1),
            "queries": sorted(queries)}  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--schools", type=int, default=7000)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    env, backend = bench_env("cycle", options.database_url, MUTU_INSECURE_HTTP="1", MUTU_ALLOWED_HOSTS="testserver")
    env["MUTU_STATIC_ROOT"] = env["MUTU_VAR_DIR"] + "/static"  # pages render hashed static URLs
    steps = [["migrate", "-v0"], ["createcachetable"], ["load_regions", "--province", "14"]]
    manage_or_exit(steps + [["collectstatic", "--noinput", "-v0"]], env)
    setup_django(env)
    from django.db import connection
    from django.test import Client

    from mutu.cycle.models import Problem

    start = time.perf_counter()
    user, school_ids = build(options.schools)
    built_s = time.perf_counter() - start
    from mutu.schools.models import School

    npsns = list(School.objects.filter(id__in=school_ids).values_list("npsn", flat=True))
    client = Client()
    client.force_login(user)
    rng = random.Random(11)
    result = {**stamp(), "backend": backend, "schools": options.schools, "build_s": round(built_s, 1)}
    result["overview"] = timed(client, "/cycle/overview/?year=2026", connection, options.requests)

    def thread_url():
        npsn = rng.choice(npsns)
        code = Problem.objects.filter(cycle__school__npsn=npsn).values_list("node__code", flat=True).first()
        return f"/cycle/{npsn}/2026/thread/{code}/"

    result["thread"] = timed(client, thread_url, connection, options.requests)
    # The reference: the same counts the shortest honest way, warm, in this process: the same three
    # reads with a plain cursor (no ORM, no template, no scope), joined in Python.
    sqls = [
        "SELECT cycle_id, node_id FROM cycle_problem",
        "SELECT g.cycle_id, n.node_id, a.program_id, a.status, a.volume, a.unit_cost FROM cycle_activity_nodes n "
        "JOIN cycle_activity a ON a.id = n.activity_id JOIN cycle_program g ON g.id = a.program_id",
        "SELECT DISTINCT program_id FROM cycle_evaluation",
    ]
    times = []
    with connection.cursor() as cursor:
        for attempt in range(options.requests + 1):
            begin = time.perf_counter()
            cursor.execute(sqls[0])
            problems = cursor.fetchall()
            cursor.execute(sqls[2])
            evaluated = {row[0] for row in cursor.fetchall()}
            cursor.execute(sqls[1])
            planned, done = set(), set()
            for cycle_id, node_id, program_id, status, _volume, _cost in cursor.fetchall():
                planned.add((cycle_id, node_id))
                if status == "selesai" and program_id in evaluated:
                    done.add((cycle_id, node_id))
            sum(1 for p in problems if tuple(p) in planned)
            if attempt:  # the first pass warms the caches
                times.append(time.perf_counter() - begin)
    times.sort()
    result["reference_raw_reads"] = {"p50_ms": round(times[len(times) // 2] * 1000, 1),
                                     "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1)}  # fmt: skip
    result["overview_p95_ratio_to_reference"] = round(
        result["overview"]["p95_ms"] / result["reference_raw_reads"]["p95_ms"], 2
    )
    record("cycle_overview", result)


if __name__ == "__main__":
    main()
