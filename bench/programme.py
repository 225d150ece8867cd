"""Benchmark: certificates and invitation letters for an event of 1,417 participants, and the recap
of a cohort of 1,500.

    .venv/bin/python bench/programme.py [--participants 1417] [--recap 1500] [--database-url URL]

In a fresh database (Riau's regions and the Riau 2020 example's schools), builds an event whose
`--participants` participants were all present, then:
  - certificates: `certificates.generate` (number everyone, lay the page out once, stamp each person
    on it, one PDF each into one ZIP) in its own process: its time (inside the process, and whole),
    ms per certificate and peak memory (RSS);
  - invitations: the worker's builder (`documents.invitations`, one PDF of every letter), the same;
  - the floor of the same technique, in the same run and measured the same way: a process that is
    given the finished texts (no database, no grouping) and only stamps them on the laid-out page into
    the ZIP, and into the one PDF: the fastest way found to make the same files;
  - the former way, for scale: WeasyPrint laying the certificate page out again for each of 200;
  - the invitations request as the web process answers it (queued for the worker): its time and how
    much the process grew;
  - recap: the cohort's recap page (warm, through Django's test client) for cohorts of a tenth of,
    exactly, and ten times `--recap` participants: its p50/p95 time and SQL queries (the count must not
    change with the size), beside the same grouped count with a plain cursor.
Results: bench/results/programme.jsonl.
"""

import argparse
import json
import statistics
import sys
import time

from common import bench_env, manage_or_exit, record, setup_django, stamp, timed_child

FORMER = """
import io, sys, zipfile
from weasyprint import HTML
html = open(sys.argv[1]).read()
with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive:
    for n in range(int(sys.argv[2])):
        archive.writestr(f"{n}.pdf", HTML(string=html.replace("NAMA", f"Peserta {n}")).write_pdf())
"""

# Each child prints the seconds its work took inside it, warm as a worker is: after Django's start
# and the PDF libraries' import.
WARM = "import pikepdf, reportlab, weasyprint\n"
CERTIFICATES = (
    WARM
    + """
import json, time
from mutu.programme.certificates import generate
begin = time.perf_counter()
generate({event})
print(json.dumps(time.perf_counter() - begin))
"""
)

INVITATIONS = (
    WARM
    + """
import json, time
from mutu.programme.documents import invitations
begin = time.perf_counter()
pdf, _name, pages = invitations({{"event": {event}, "session": None, "link": "https://mutu.example.go.id/hadir/"}})
assert pages == {participants} and pdf.startswith(b"%PDF")
print(json.dumps(time.perf_counter() - begin))
"""
)

# The floor: the texts are given; only the stamping on the laid-out page and the files are timed.
FLOOR = (
    WARM
    + """
import io, json, time, zipfile
from mutu.core import stamp
from mutu.programme import certificates, documents
from mutu.programme.models import Certificate, Event
event = Event.objects.get(pk={event})
site = "https://mutu.example.go.id"
made = list(
    Certificate.objects.filter(event=event)
    .select_related("participant__event__cohort__province", "participant__session")
    .select_related("participant__regency", "participant__school")
    .order_by("seq")
)
texts = [certificates._stamped(c, site) for c in made]
letters = [documents._stamped(c.participant) for c in made]
context = {{"certificate": made[0], "event": event, "session": made[0].participant.session, "verify_host": site}}
begin = time.perf_counter()
layout = stamp.Layout("programme/certificate_pdf.html", context, certificates.STAMPED)
with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive:
    for n, pdf in enumerate(stamp.each(layout, texts)):
        archive.writestr(f"{{n}}.pdf", pdf)
middle = time.perf_counter()
context = {{"event": event, "link": site, "qr": "", "session": made[0].participant.session}}
letter = stamp.Layout("programme/invitations_pdf.html", context, documents.STAMPED)
stamp.bound([(letter, letters)])
print(json.dumps([middle - begin, time.perf_counter() - middle]))
"""
)
FORMER_COUNT = 200


def _inside(run):
    """The child's own timing: the last line it printed."""
    assert run["rc"] == 0, run["err"]
    return json.loads(run["out"].strip().splitlines()[-1])


def _rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def build_event(participants, name, present=True):
    """An event of `participants` in Riau's schools (present on both days unless `present` is false)."""
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
    if not present:
        return lpmp, cohort, event
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
    parser.add_argument("--participants", type=int, default=1417)
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
    from mutu.programme import certificates
    from mutu.programme.models import Certificate, Participant

    result = {**stamp(), "backend": backend, "participants": options.participants}
    lpmp, _cohort, event = build_event(options.participants, "Sertifikat")
    n = options.participants

    def shell(code):
        return timed_child([sys.executable, "manage.py", "shell", "-c", code], env)

    run = shell(CERTIFICATES.format(event=event.pk))
    certificates_s = _inside(run)
    made = Certificate.objects.filter(event=event).count()
    assert made == n, made
    letters = shell(INVITATIONS.format(event=event.pk, participants=n))
    letters_s = _inside(letters)
    floor = shell(FLOOR.format(event=event.pk))
    floor_certificates_s, floor_letters_s = _inside(floor)

    # The former way: the same certificate page, laid out again for each one.
    participant = Participant.objects.select_related("event__cohort__province", "session", "regency").first()
    certificate = Certificate.objects.get(participant=participant)
    values = certificates._stamped(certificate, "https://mutu.example.go.id")
    page = render_to_string(
        "programme/certificate_pdf.html",
        {"certificate": certificate, "event": participant.event, "session": participant.session},
    ).replace('id="name"></p>', 'id="name" style="font-size:24pt;font-weight:bold">NAMA</p>')
    page = page.replace('id="number"></p>', f'id="number">{values["number"]}</p>')
    page = page.replace('id="qr"></div>', f'id="qr">{qr_svg(values["qr"])}</div>')
    html = f"{env['MUTU_VAR_DIR']}/certificate.html"
    with open(html, "w") as handle:
        handle.write(page)
    former = timed_child([sys.executable, "-c", FORMER, html, str(FORMER_COUNT)], env)
    assert former["rc"] == 0, former["err"]

    result["certificates"] = {
        "s": round(certificates_s, 2),
        "process_s": round(run["s"], 1),
        "peak_rss_mb": round(run["rss"]),
        "per_certificate_ms": round(certificates_s / n * 1000, 2),
        "floor_s": round(floor_certificates_s, 2),
        "floor_per_certificate_ms": round(floor_certificates_s / n * 1000, 2),
        "ratio_to_floor": round(certificates_s / floor_certificates_s, 2),
        "former_per_certificate_ms": round(former["s"] / FORMER_COUNT * 1000, 1),
    }
    result["invitations"] = {
        "s": round(letters_s, 2),
        "process_s": round(letters["s"], 1),
        "peak_rss_mb": round(letters["rss"]),
        "per_letter_ms": round(letters_s / n * 1000, 2),
        "floor_s": round(floor_letters_s, 2),
        "floor_per_letter_ms": round(floor_letters_s / n * 1000, 2),
        "ratio_to_floor": round(letters_s / floor_letters_s, 2),
        "floor_peak_rss_mb": round(floor["rss"]),  # both floors in one process
    }

    client = Client()
    client.force_login(lpmp)
    url = f"/programme/events/{event.pk}/invitations/"
    before = _rss_mb()
    begin = time.perf_counter()
    response = client.post(url)
    asked = time.perf_counter() - begin
    assert response.status_code == 302 and "/documents/" in response["Location"], response
    result["invitations"]["request_s"] = round(asked, 3)
    result["invitations"]["request_rss_growth_mb"] = round(_rss_mb() - before, 1)

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
