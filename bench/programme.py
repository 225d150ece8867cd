"""Benchmark: certificates for an event of 1,000 participants, and the recap of a cohort of 1,500.

    .venv/bin/python bench/programme.py [--participants 1000] [--recap 1500] [--database-url URL]

In a fresh database (Riau's regions and the Riau 2020 example's schools), builds an event whose
`--participants` participants were all present, then:
  - certificates: `certificates.generate` (number everyone, draw one PDF each into one ZIP) in its own
    process, its wall time and peak memory (RSS); the honest reference, in the same run and measured
    the same way: a process that draws the same number of PDFs of the same certificate page with
    WeasyPrint into a ZIP (the drawing, without the database, numbering or templates);
  - recap: the cohort's recap page (warm, through Django's test client) for cohorts of a tenth of,
    exactly, and ten times `--recap` participants: its p50/p95 time and SQL queries (the count must not
    change with the size), beside the same grouped count with a plain cursor.
Results: bench/results/programme.jsonl.
"""

import argparse
import statistics
import sys
import time

from common import bench_env, manage_or_exit, record, setup_django, stamp, timed_child

REFERENCE = """
import io, sys, time, zipfile
from weasyprint import HTML
html = open(sys.argv[1]).read()
count = int(sys.argv[2])
with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive:
    for n in range(count):
        archive.writestr(f"{n}.pdf", HTML(string=html.replace("NAMA", f"Peserta {n}")).write_pdf())
"""


def build_event(participants, name):
    from mutu.accounts.models import Membership, User
    from mutu.programme import events, riau2020, services
    from mutu.programme.models import Attendance, Participant
    from mutu.regions.models import Province

    riau = Province.objects.get(code="14")
    lpmp, _ = User.objects.get_or_create(username="lpmp.bench")
    Membership.objects.get_or_create(user=lpmp, role="admin_lpmp", province=riau, valid_from="2020-01-01")
    schools = [s for models, imbas in riau2020.ensure_schools().values() for s in models + imbas]
    cohort = services.create_cohort(actor=lpmp, province=riau, year=2020, name=name)
    event = events.save_event(
        actor=lpmp,
        cohort=cohort,
        data={"name": f"Bimtek {name}", "kind": "bimtek", "mode": "daring", "days": 2, "hours": 16},
    )
    regencies = list(riau.regencies.all())
    session = events.save_session(actor=lpmp, event=event, data={"name": "Daring"}, regencies=regencies)
    rows = []
    for n in range(participants):
        school = schools[n % len(schools)]
        role = ["ks_binaan", "ks_imbas", "pengawas", "tpmpd"][n % 4]
        if role.startswith("ks") and n >= len(schools):  # one principal per school; the others teach
            role = "guru"
        rows.append(
            Participant(
                event=event,
                session=session,
                name=f"Peserta {n:05d}",
                role=role,
                regency_id=school.regency_id,
                school=school if role in ("ks_binaan", "ks_imbas", "guru") else None,
                key=f"bench:{n}",
                code=f"B{event.pk:03d}{n:06d}",
            )
        )
    Participant.objects.bulk_create(rows, batch_size=2000)
    Attendance.objects.bulk_create(
        (
            Attendance(participant_id=pk, day=day, method="daftar")
            for pk in Participant.objects.filter(event=event).values_list("pk", flat=True)
            for day in (1, 2)
        ),
        batch_size=4000,
    )
    return lpmp, cohort, event


def timed(client, url, connection, requests):
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times, queries = [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - begin)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--recap", type=int, default=1500)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    env, backend = bench_env("programme", options.database_url, MUTU_INSECURE_HTTP="1", MUTU_ALLOWED_HOSTS="testserver")
    env["MUTU_STATIC_ROOT"] = env["MUTU_VAR_DIR"] + "/static"
    manage_or_exit(
        [
            ["migrate", "-v0"],
            ["createcachetable"],
            ["load_regions", "--province", "14"],
            ["collectstatic", "--noinput", "-v0"],
        ],
        env,
    )
    setup_django(env)
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client

    from mutu.core.qr import qr_svg
    from mutu.programme.certificates import verification_url
    from mutu.programme.models import Certificate, Participant

    result = {**stamp(), "backend": backend, "participants": options.participants}
    lpmp, _cohort, event = build_event(options.participants, "Sertifikat")
    shell = [
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        f"from mutu.programme.certificates import generate; generate({event.pk})",
    ]
    run = timed_child(shell, env)
    assert run["rc"] == 0, run["err"]
    made = Certificate.objects.filter(event=event).count()
    assert made == options.participants, made
    # The reference draws the same certificate page, rendered once, as many times.
    participant = Participant.objects.select_related("event__cohort__province", "session", "regency").first()
    page = render_to_string(
        "programme/certificate_pdf.html",
        {
            "certificate": Certificate.objects.get(participant=participant),
            "participant": participant,
            "event": participant.event,
            "session": participant.session,
            "qr": qr_svg(
                verification_url(Certificate.objects.get(participant=participant), "https://mutu.example.go.id")
            ),
            "verify_host": "mutu.example.go.id",
        },
    ).replace(participant.name, "NAMA")
    html = f"{env['MUTU_VAR_DIR']}/certificate.html"
    with open(html, "w") as handle:
        handle.write(page)
    reference = timed_child([sys.executable, "-c", REFERENCE, html, str(options.participants)], env)
    assert reference["rc"] == 0, reference["err"]
    result["certificates"] = {
        "s": round(run["s"], 1),
        "peak_rss_mb": round(run["rss"]),
        "per_certificate_ms": round(run["s"] / made * 1000, 1),
        "reference_s": round(reference["s"], 1),
        "reference_peak_rss_mb": round(reference["rss"]),
        "ratio": round(run["s"] / reference["s"], 2),
    }

    client = Client()
    client.force_login(lpmp)
    result["recap"] = []
    for size in (options.recap // 10, options.recap, options.recap * 10):
        _lpmp, cohort, _event = build_event(size, f"Rekap {size}")
        page = timed(client, f"/programme/{cohort.pk}/recap/?hadir=1", connection, options.requests)
        sql = (
            "SELECT p.regency_id, p.role, COUNT(*) FROM programme_participant p JOIN programme_event e "
            "ON e.id = p.event_id WHERE e.cohort_id = %s AND EXISTS (SELECT 1 FROM programme_attendance a "
            "WHERE a.participant_id = p.id) GROUP BY p.regency_id, p.role"
        )
        times = []
        with connection.cursor() as cursor:
            for attempt in range(options.requests + 1):
                begin = time.perf_counter()
                cursor.execute(sql, [cohort.pk])
                total = sum(row[2] for row in cursor.fetchall())
                if attempt:
                    times.append(time.perf_counter() - begin)
        assert total == size
        times.sort()
        page["participants"] = size
        page["reference_p95_ms"] = round(times[int(len(times) * 0.95) - 1] * 1000, 2)
        result["recap"].append(page)
    record("programme", result)


if __name__ == "__main__":
    main()
