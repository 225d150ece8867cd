"""Benchmark: the school rapor page and the kab/kota page with the national dataset loaded.

    .venv/bin/python bench/page_latency.py --database-url postgresql://postgres@127.0.0.1:5432/mutu_bench_national

Run after bench/score_national.py on the same database. Renders each page through Django's test
client in this process (no network), `--requests` times for random schools and kab/kota, and
records p50/p95 time and the number of SQL queries per page. The query count must not depend on
the data size (also asserted in the test suite); goal (issue #3): p95 under 200 ms. The province
page is measured too, 10 times, without a goal; the national progress (deadline) page, as the
nation opens it and with a province's lagging schools chosen, 10 times each, goal (issue #24)
p95 ≤ 200 ms; and the programme's evaluation page with its effect per kab/kota (issue #24) of a
cohort of the largest province (made once, its effect computed as the worker does), same goal.
Results: bench/results/page_latency.jsonl.
"""

import argparse
import os
import random
import time

from common import manage_or_exit, record, setup_django, stamp


def bench_cohort(round_):
    """A cohort of the province with the most schools, a year before the round, its effect stored."""
    from django.db.models import Count

    from mutu.programme import effect
    from mutu.programme.models import Cohort
    from mutu.regions.models import Province

    province = Province.objects.annotate(n=Count("schools")).order_by("-n").first()
    cohort, _ = Cohort.objects.get_or_create(province=province, year=round_.year - 1, name="Kohort bench")
    effect.refresh(cohort.pk)
    return cohort


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=60)
    options = parser.parse_args()
    env = {"MUTU_ALLOW_INSECURE_KEY": "1", "MUTU_INSECURE_HTTP": "1", "MUTU_ALLOWED_HOSTS": "testserver"}
    env["MUTU_REQUIRE_2FA"] = "0"  # pages are timed for someone signed in, as in bench_env
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    env = {**os.environ, **env}
    # The dataset may predate this commit: its migrations first; pages render hashed static URLs.
    manage_or_exit([["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]], env)
    setup_django(env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mutu.accounts.models import Membership, User
    from mutu.mapping.models import Round, SchoolScore
    from mutu.regions.models import Province, Regency
    from mutu.schools.models import School

    round_ = Round.objects.filter(province__isnull=True).order_by("-id").first()
    if round_ is None:
        raise SystemExit("No national round: run bench/score_national.py first.")
    user, created = User.objects.get_or_create(username="bench.pusat")
    if created:
        Membership.objects.create(user=user, role="admin_pusat")
    client = Client()
    client.force_login(user)
    rng = random.Random(7)
    npsns = list(SchoolScore.objects.filter(round=round_).values_list("school__npsn", flat=True))
    regencies = list(Regency.objects.values_list("code", flat=True))
    provinces = list(Province.objects.values_list("code", flat=True))
    cohort = bench_cohort(round_)
    pages = {
        "school_rapor": lambda: f"/mapping/{round_.pk}/schools/{rng.choice(npsns)}/rapor/",
        "regency_page": lambda: f"/mapping/{round_.pk}/regions/regency/{rng.choice(regencies)}/",
        # Not in the goal, measured so the larger pages are known too.
        "province_page": lambda: f"/mapping/{round_.pk}/regions/province/{rng.choice(provinces)}/",
        "national_progress": lambda: f"/mapping/{round_.pk}/",
        "national_progress_province": lambda: f"/mapping/{round_.pk}/?province={rng.choice(provinces)}",
        "programme_effect": lambda: f"/programme/{cohort.pk}/evaluation/?year={round_.year}",
    }
    goal_pages = ("school_rapor", "regency_page")
    national_pages = ("national_progress", "national_progress_province", "programme_effect")
    result = {
        **stamp(),
        "backend": connection.vendor,
        "schools_scored": SchoolScore.objects.filter(round=round_).count(),
        "schools": School.objects.count(),
    }
    for name, url in pages.items():
        client.get(url())  # warm caches and connections
        times, queries = [], set()
        for _ in range(options.requests if name in goal_pages else 20 if name in national_pages else 10):
            target = url()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(target)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (target, response.status_code)
            queries.add(len(captured))
        times.sort()
        result[name] = {
            "p50_ms": round(times[len(times) // 2] * 1000, 1),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1),
            "queries": sorted(queries),
        }
    # The reference: what the evaluation page did on each view before the effect was stored.
    from mutu.programme import effect

    live = []
    for _ in range(5):
        start = time.perf_counter()
        effect.compute(cohort, [round_.year])
        live.append(time.perf_counter() - start)
    result["programme_effect"]["live_compute_ms"] = round(sorted(live)[2] * 1000, 1)
    result["programme_effect"]["ratio_to_live"] = round(
        result["programme_effect"]["p50_ms"] / result["programme_effect"]["live_compute_ms"], 3
    )
    result["goal_met"] = all(result[name]["p95_ms"] < 200 for name in goal_pages)
    result["national_goal_met"] = all(result[name]["p95_ms"] <= 200 for name in national_pages)
    record("page_latency", result)


if __name__ == "__main__":
    main()
