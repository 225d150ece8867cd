"""Benchmark: import a national Dapodik-style school file (220,000 rows by default).

    .venv/bin/python bench/import_schools.py [--rows N] [--format csv|xlsx] [--database-url URL]

Generates the file (real district codes and names from the region table, ~1% bad rows), then runs
`manage.py import_schools` in a fresh process twice on an empty database (first import, then the
re-import that updates every row) and records wall time, peak RSS and rows/s. As a reference it
times, in the same run, a plain `csv.reader` pass over the same file (the floor: reading alone).
Results are appended to bench/results/import_schools.jsonl and summarised in bench/RESULTS.md.
Goal (issue #2): under 60 s and under 300 MB peak, on SQLite and on PostgreSQL.
"""

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

from common import ROOT, bench_env, manage, manage_or_exit, record, stamp, timed_child

HEADER = [
    "NPSN",
    "Nama Sekolah",
    "Bentuk Pendidikan",
    "Status Sekolah",
    "Alamat",
    "Kode Wilayah",
    "Kecamatan",
    "Kabupaten/Kota",
    "Provinsi",
    "Akreditasi",
    "Lintang",
    "Bujur",
    "Kepala Sekolah",
]
LEVELS = ["SD"] * 66 + ["SMP"] * 18 + ["SMA"] * 7 + ["SMK"] * 7 + ["SLB"] * 2


def districts(env):
    script = (
        "import json;from mutu.regions.models import District;"
        "print(json.dumps(list(District.objects.values_list('code','name','regency__name','regency__province__name'))))"
    )
    out = manage(["shell", "-c", script], env, capture=True).stdout
    return json.loads(out[out.index("[") :])


def generate(path, rows, region_rows, fmt):
    rng = random.Random(220000)

    def row(n):
        code, district, regency, province = region_rows[n % len(region_rows)]
        level = LEVELS[n % len(LEVELS)]
        record = [
            f"{20000000 + n:08d}",
            f"{level} Negeri {n % 997 + 1} {district}",
            level,
            "Negeri" if n % 3 else "Swasta",
            f"Jl. Pendidikan No. {n % 250 + 1}",
            code.replace(".", ""),
            f"Kec. {district}",
            regency,
            f"Prov. {province}",
            rng.choice("ABC"),
            f"{rng.uniform(-10, 5):.6f}",
            f"{rng.uniform(95, 141):.6f}",
            f"Kepala {n}",
        ]
        if n % 100 == 7:  # about 1% bad rows, of the kinds the import must report
            record[0] = record[0][:7]
        elif n % 100 == 51:
            record[1] = ""
        return record

    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            for n in range(rows):
                writer.writerow(row(n))
    else:
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        for n in range(rows):
            sheet.write_row(n + 1, 0, row(n))
        workbook.close()


def reference_read(path):
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as handle:
        count = sum(1 for _ in csv.reader(handle, delimiter=";"))
    return time.perf_counter() - start, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=220_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temp dir")
    options = parser.parse_args()

    env, backend = bench_env("import", options.database_url)
    manage_or_exit([["migrate", "--noinput"], ["load_regions"]], env)

    path = Path(env["MUTU_VAR_DIR"]) / f"dapodik.{options.format}"
    start = time.perf_counter()
    generate(path, options.rows, districts(env), options.format)
    generate_s = time.perf_counter() - start

    command = [sys.executable, str(ROOT / "manage.py"), "import_schools", str(path)]
    first = timed_child(command, env)
    second = timed_child(command, env)
    csv_path = path if options.format == "csv" else None
    reference_s, _ = reference_read(csv_path) if csv_path else (None, None)

    result = {
        **stamp(),
        "backend": backend,
        "format": options.format,
        "rows": options.rows,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "generate_s": round(generate_s, 2),
        "first_import_s": round(first["s"], 2),
        "reimport_s": round(second["s"], 2),
        "peak_rss_mb": round(max(first["rss"], second["rss"]), 1),
        "rows_per_s": round(options.rows / first["s"]),
        "reference_csv_read_s": round(reference_s, 2) if reference_s else None,
        "ratio_to_reference": round(first["s"] / reference_s, 1) if reference_s else None,
        "report": first["out"].strip().splitlines()[-1] if first["out"].strip() else first["err"],
        "reimport_report": second["out"].strip().splitlines()[-1] if second["out"].strip() else second["err"],
        "goal_met": first["s"] < 60 and second["s"] < 60 and max(first["rss"], second["rss"]) < 300,
    }
    record("import_schools", result)


if __name__ == "__main__":
    main()
