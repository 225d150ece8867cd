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
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import_schools.jsonl"
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


def manage(args, env, capture=False):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


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


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def timed_child(args, env):
    """Run one child process; return (seconds, peak RSS MB of that child, completed process)."""
    script = (
        "import resource,subprocess,sys,time,json;"
        "t=time.perf_counter();p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "d=time.perf_counter()-t;"
        "print(json.dumps({'s':d,'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
        "'rc':p.returncode,'out':p.stdout[-400:],'err':p.stderr[-2000:]}))"
    )
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    return json.loads(done.stdout)


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

    work = Path(tempfile.mkdtemp(prefix="mutu-bench-"))
    env = {**os.environ, "MUTU_ALLOW_INSECURE_KEY": "1", "MUTU_VAR_DIR": str(work)}
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    backend = "postgresql" if options.database_url.startswith("postgres") else "sqlite"
    if backend == "postgresql":
        ensure_database(options.database_url)
    migrated = manage(["migrate", "--noinput"], env)
    if migrated.returncode:
        raise SystemExit(migrated.stderr)
    manage(["load_regions"], env)
    manage(["shell", "-c", "from mutu.schools.models import School; School.objects.all().delete()"], env)

    path = work / f"dapodik.{options.format}"
    start = time.perf_counter()
    generate(path, options.rows, districts(env), options.format)
    generate_s = time.perf_counter() - start

    command = [sys.executable, str(ROOT / "manage.py"), "import_schools", str(path)]
    first = timed_child(command, env)
    second = timed_child(command, env)
    csv_path = path if options.format == "csv" else None
    reference_s, _ = reference_read(csv_path) if csv_path else (None, None)

    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores",
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
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(result) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
