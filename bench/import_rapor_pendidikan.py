"""Benchmark: a Rapor Pendidikan school list of 7,000 schools × 15 indicators, then the regional page.

    .venv/bin/python bench/import_rapor_pendidikan.py [--schools N] [--database-url URL] [--runs K]

Makes N schools across the country's districts, writes a school list built like the official download
(title rows, merged headers over Capaian and Skor, decimal commas, "Tidak Tersedia") and times, in a
fresh process each, what the worker runs for an upload (`pbd.services.run_import_job`: read, check,
save, refresh the stored shares): the first import and the re-import that changes nothing. The
reference, in the same run, is a plain openpyxl read-only pass over the same file (reading alone, the
floor). Then the nation's and a province's regional page are requested K times each through Django's
test client: p50/p95 time and the query count. Results go to bench/results/import_rapor_pendidikan.jsonl.
Goal (issue #23): import ≤ 30 s and ≤ 300 MB; regional page p95 ≤ 200 ms with a fixed query count.
"""

import argparse
import json
import sys
from pathlib import Path

from common import ROOT, bench_env, manage, manage_or_exit, record, stamp, timed_child

SETUP = """
from decimal import Decimal
from mutu.accounts.models import Membership, Role, User
from mutu.pbd import samples
from mutu.pbd.models import Framework
from mutu.regions.models import District
from mutu.schools.models import School
districts = list(District.objects.select_related("regency").order_by("code"))
levels = ["SD"] * 66 + ["SMP"] * 18 + ["SMA"] * 16
rows = []
for n in range({schools}):
    d = districts[n * 7 % len(districts)]
    rows.append(School(npsn=f"{{30000000 + n:08d}}", name=f"Sekolah {{n}}", level=levels[n % 100], status="negeri",
                       district=d, regency_id=d.regency_id, province_id=d.regency.province_id))
School.objects.bulk_create(rows, batch_size=2000)
user = User.objects.create_user("bench", password="bench-bench-bench")
Membership.objects.create(user=user, role=Role.ADMIN_PUSAT)
framework = Framework.objects.get(year=2025)
main = [(i.code, i.name) for i in framework.indicators.filter(main=True) if "SD" in i.levels]
codes = [c for c, _ in main]
schools = list(School.objects.select_related("district").order_by("npsn"))
def values(i, s):  # one value in 37 "Tidak Tersedia"
    found = samples.figures(s.npsn, 2025, codes)
    return {{c: (None if (i + k) % 37 == 0 else v) for k, (c, v) in enumerate(found.items())}}
table = [(s, values(i, s)) for i, s in enumerate(schools)]
samples.school_list("{path}", year=2025, region_name="Indonesia", indicators=main, rows=table)
"""

RUN_JOB = """
from django.core.files import File
from mutu.accounts.models import User
from mutu.pbd import services
from mutu.pbd.models import RaporImport
with open("{path}", "rb") as handle:
    job = RaporImport.objects.create(uploaded_by=User.objects.get(username="bench"), original_name="daftar.xlsx",
                                     file=File(handle, name="daftar.xlsx"))
services.run_import_job(job.pk)
job.refresh_from_db()
print(job.state, job.created_count, job.changed_count, job.unchanged_count, job.error_count)
"""

REFERENCE = """
import time
from openpyxl import load_workbook
t = time.perf_counter()
book = load_workbook("{path}", read_only=True, data_only=True)
rows = sum(1 for _ in book.active.iter_rows(values_only=True))
print(time.perf_counter() - t, rows)
"""

PAGES = """
import json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from mutu.accounts.models import User
client = Client(HTTP_HOST="localhost")
client.force_login(User.objects.get(username="bench"))
out = {{}}
for name, url in (("nation", "/rapor-pendidikan/wilayah/nation/id/?tahun=2025"),
                  ("province", "/rapor-pendidikan/wilayah/province/32/?tahun=2025")):
    client.get(url)  # warm
    times = []
    for _ in range({runs}):
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - t) * 1000)
    out[name] = {{"p50_ms": round(statistics.median(times), 1),
                 "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 1), "queries": len(queries)}}
print(json.dumps(out))
"""


def shell(script, env):
    return [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=7000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temp dir")
    options = parser.parse_args()

    env, backend = bench_env("rapor", options.database_url, MUTU_INSECURE_HTTP="1")
    manage_or_exit([["migrate", "--noinput"], ["load_regions"]], env)
    path = Path(env["MUTU_VAR_DIR"]) / "daftar.xlsx"
    done = manage(["shell", "-c", SETUP.format(schools=options.schools, path=path)], env)
    if done.returncode:
        raise SystemExit(done.stderr)
    first = timed_child(shell(RUN_JOB.format(path=path), env), env)
    again = timed_child(shell(RUN_JOB.format(path=path), env), env)
    reference = timed_child(shell(REFERENCE.format(path=path), env), env)
    pages = timed_child(shell(PAGES.format(runs=options.runs), env), {**env, "MUTU_DEBUG": "1"})
    page_figures = json.loads(pages["out"].strip().splitlines()[-1]) if pages["rc"] == 0 else pages["err"][-300:]
    result = {
        **stamp(),
        "backend": backend,
        "schools": options.schools,
        "file_mb": round(path.stat().st_size / 2**20, 2),
        "first_import_s": round(first["s"], 2),
        "first_report": first["out"].strip().splitlines()[-1] if first["out"].strip() else first["err"][-300:],
        "reimport_s": round(again["s"], 2),
        "reimport_report": again["out"].strip().splitlines()[-1] if again["out"].strip() else again["err"][-300:],
        "peak_rss_mb": round(max(first["rss"], again["rss"]), 1),
        "values_per_s": round(options.schools * 15 / first["s"]),
        "reference_openpyxl_read_s": round(reference["s"], 2),
        "ratio_to_reference": round(first["s"] / reference["s"], 1),
        "regional_pages": page_figures,
        "goal_met": first["s"] <= 30
        and again["s"] <= 30
        and max(first["rss"], again["rss"]) <= 300
        and isinstance(page_figures, dict)
        and all(page["p95_ms"] <= 200 for page in page_figures.values()),
    }
    record("import_rapor_pendidikan", result)


if __name__ == "__main__":
    main()
