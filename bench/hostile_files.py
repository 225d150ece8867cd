"""Benchmark: hostile uploads against a running Mutu (gunicorn + db_worker), as an attacker sends them.

    .venv/bin/python bench/hostile_files.py [--database-url URL]

Loads the demo into a fresh database (SQLite by default), starts gunicorn and one `db_worker`, logs in
as lpmp.riau over HTTP and uploads each file: an XLSX shared-strings bomb (a few hundred KB that
inflate to 221 MB), the worst XLSX within the limits (990,000 distinct shared strings, 60 MB), an
XML entity bomb, a YAML alias bomb (413 bytes, 10^9 nodes), a CSV with a 131,073-byte field and
one with a 10 MB header line. For each it records how the job ended and why, the time to that end,
and the worker's peak resident memory while on it (sampled every 20 ms from /proc; freed memory the
allocator keeps counts too), beside honest uploads in the same run: a 2,000-row school file and the
shipped instrument as XLSX. Meanwhile another user (dinas.kampar) logs in and opens the school list
every 0.2 s; each request must succeed. At the end the worker must still be running.
Results: bench/results/hostile_files.jsonl.
"""

import argparse
import http.cookiejar
import io
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path

from common import ROOT, demo_server, record, stamp

PASSWORD = "mutu-demo-2026"
HEADER = b"NPSN;Nama Sekolah;Bentuk Pendidikan;Status Sekolah;Kode Wilayah"


class Browser:
    """A logged-in session over HTTP with Django's CSRF token, following redirects."""

    def __init__(self, base, username):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.get("/accounts/login/")
        self.post("/accounts/login/", {"username": username, "password": PASSWORD}, page)
        if "/accounts/login/" in self.url:
            raise SystemExit(f"{username} could not log in")

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            self.url = response.url
            return response.read().decode()

    def post(self, path, fields, page, files=None):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in {**fields, "csrfmiddlewaretoken": token}.items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in (files or {}).items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            self.base + path,
            data=body.getvalue(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path},
        )
        with self.opener.open(request, timeout=60) as response:
            self.url = response.url
            return response.read().decode()


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return None
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def xlsx(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def workbook_parts(sheet, shared=b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sekolah" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    }


def hostile_files(work):
    """(name, kind, filename, content): kind is the upload page, "schools" or "instruments"."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData/></worksheet>'
    strings = b"<si><t>Sekolah contoh yang sangat panjang namanya</t></si>" * 4_000_000  # 220 MB
    sst = f'<?xml version="1.0"?><sst xmlns="{main}">'.encode() + strings + b"</sst>"
    # The worst a file within the limits can do: as many distinct shared strings as allowed (each a Python
    # object in openpyxl's list), as long as the part's size limit allows, compressed under the ratio limit.
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    tiny = b"".join(b"<si><t>" + "".join(rng.choices(letters, k=45)).encode() + b"</t></si>" for _ in range(990_000))
    at_limit = f'<?xml version="1.0"?><sst xmlns="{main}">'.encode() + tiny + b"</sst>"
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    entity_sheet = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "ha">{laughs}]><worksheet xmlns="{main}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    )
    header_cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER.decode().split(";"))
    )
    wide_sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{header_cells}</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    alias_bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    return [
        ("xlsx_shared_strings_bomb", "schools", "bom.xlsx", xlsx(workbook_parts(sheet.encode(), sst))),
        (
            "xlsx_990000_shared_strings_within_limits",
            "schools",
            "batas.xlsx",
            xlsx(workbook_parts(sheet.encode(), at_limit)),
        ),
        ("xlsx_entity_bomb", "schools", "tawa.xlsx", xlsx(workbook_parts(entity_sheet.encode()))),
        ("yaml_alias_bomb", "instruments", "bom.yaml", alias_bomb.encode()),
        (
            "yaml_alias_inside_itself",
            "instruments",
            "putar.yaml",
            b'code: cyc-1\nname: cyc\nnodes: &n [{code: "1", text: t, children: *n}]\n',
        ),
        ("xlsx_declaring_1048576_x_16384_cells", "schools", "lebar.xlsx", xlsx(workbook_parts(wide_sheet.encode()))),
        (
            "csv_131073_byte_field",
            "schools",
            "panjang.csv",
            HEADER + b"\n10490001;" + b"x" * 131_073 + b";SD;Negeri;14.01.01\n",
        ),
        ("csv_10mb_header_line", "schools", "kepala.csv", b"a" * 10 * 2**20 + b"\n10490001;SD\n"),
    ]


def honest_files(work, env):
    """The same kinds of upload done right: a 2,000-row school CSV of Riau and the shipped instrument."""
    script = (
        "import django,sys;django.setup();"
        "from mutu.instruments import services;from mutu.regions.models import District;"
        "doc=services.build_default_document();doc['code']='snp2019-uji';services.write_document(doc,sys.argv[1]);"
        "print('\\n'.join(d.code for d in District.objects.filter(regency__province__code='14')[:50]))"
    )
    instrument = work / "snp.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", script, str(instrument)],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    districts = done.stdout.split()
    rows = [HEADER.decode()]
    rows += [f"{69_000_000 + i};SD Negeri {i} Uji;SD;Negeri;{districts[i % len(districts)]}" for i in range(2000)]
    return [
        ("reference_school_csv_2000_rows", "schools", "sekolah.csv", "\n".join(rows).encode()),
        ("reference_instrument_xlsx", "instruments", "snp.xlsx", instrument.read_bytes()),
    ]


def upload(browser, kind, filename, content, worker_pid):
    """Upload, map the columns (school files) and follow the job to its end, sampling the worker."""
    page = browser.get(f"/{kind}/" if kind == "instruments" else "/schools/import/")
    page = browser.post(browser.url.replace(browser.base, ""), {}, page, files={"file": (filename, content)})
    job_url = browser.url.replace(browser.base, "")
    peak, start, mapped = 0.0, time.perf_counter(), False
    while True:
        for _ in range(25):  # the worker's memory every 20 ms, the job page every half second
            rss = rss_mb(worker_pid)
            if rss is None:
                return {"ended": "worker died", "s": round(time.perf_counter() - start, 2), "peak_rss_mb": peak}
            peak = max(peak, rss)
            time.sleep(0.02)
        if time.perf_counter() - start > 300:
            return {"ended": "still busy after 300 s", "peak_rss_mb": round(peak, 1)}
        if 'hx-trigger="every 2s"' in page:
            page = browser.get(job_url)
        elif kind == "schools" and not mapped and 'name="col_npsn"' in page:
            fields = {}
            for field, options in re.findall(r'<select name="(col_\w+)"[^>]*>(.*?)</select>', page, re.S):
                chosen = re.search(r'<option value="(\d+)" selected', options)
                if chosen:
                    fields[field] = chosen.group(1)
            page = browser.post(job_url, fields, page)
            mapped = True
        else:
            break
    state = re.search(r'class="state state-(\w+)"', page)
    reason = re.search(r"<tbody><tr><td>[^<]*</td><td>(.*?)</td>", page) or re.search(
        r'class="error"[^>]*>(.*?)</', page
    )
    return {
        "ended": state.group(1) if state else "?",
        "reason": re.sub(r"\s+", " ", reason.group(1)).strip()[:200] if reason else "",
        "s": round(time.perf_counter() - start, 2),
        "peak_rss_mb": round(peak, 1),
        "bytes": len(content),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    with demo_server("hostile", options.database_url) as (base, env, backend, worker):
        run(base, env, backend, worker)


def run(base, env, backend, worker):
    work = Path(env["MUTU_VAR_DIR"])
    result = {**stamp(), "backend": backend, "files": {}}
    attacker = Browser(base, "lpmp.riau")
    bystander = {"requests": 0, "failures": 0, "max_s": 0.0}
    stop = threading.Event()

    def browse():
        try:
            user = Browser(base, "dinas.kampar")  # a login while the files are worked on
            while not stop.is_set():
                start = time.perf_counter()
                try:
                    user.get("/schools/")
                except OSError:
                    bystander["failures"] += 1
                bystander["requests"] += 1
                bystander["max_s"] = round(max(bystander["max_s"], time.perf_counter() - start), 3)
                time.sleep(0.2)
        except Exception as exc:  # noqa: BLE001 — recorded as the bystander's failure
            bystander["login_error"] = str(exc)

    for name, kind, filename, content in honest_files(work, env) + hostile_files(work):
        stop.clear()
        thread = threading.Thread(target=browse)
        thread.start()
        result["files"][name] = upload(attacker, kind, filename, content, worker.pid)
        stop.set()
        thread.join()
        result["files"][name]["bystander"] = dict(bystander)
        bystander.update(requests=0, failures=0, max_s=0.0)
        print(name, result["files"][name], flush=True)
    result["worker_running_after"] = worker.poll() is None
    reference = result["files"]["reference_school_csv_2000_rows"]["peak_rss_mb"]
    result["peak_rss_ratio_to_reference"] = {
        name: round(entry["peak_rss_mb"] / reference, 2) for name, entry in result["files"].items()
    }
    record("hostile_files", result)


if __name__ == "__main__":
    main()
