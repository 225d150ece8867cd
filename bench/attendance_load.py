"""Benchmark: the rush at the start of a session — every participant checks in within a minute,
through gunicorn + PostgreSQL on loopback.

    .venv/bin/python bench/attendance_load.py [--participants 1417] [--seconds 60] [--database-url URL]

Builds an event of `--participants` in Riau's schools with one session and opens day 1's code,
starts gunicorn on 127.0.0.1, and lets each participant arrive at a random moment of `--seconds`
(each on their own phone: own connection and cookies), open the code's link (the QR at the venue)
and send their personal code; one in ten taps the button twice. Afterwards every participant must be
present exactly once on day 1: none lost, none twice, the double taps answered "already recorded".
Goal (issue #24): p95 ≤ 250 ms for the check-in, every check-in stored once.
Results: bench/results/attendance_load.jsonl. Only loopback addresses are used.
"""

import argparse
import http.client
import multiprocessing
import random
import re
import threading
import time
from urllib.parse import urlencode

from common import bench_env, gunicorn, load_options, manage_or_exit, percentile, record, setup_django, stamp

PORT = 8766
TWICE = 10  # one participant in this many taps "Hadir" twice


def participant(day_code, code, arrival, timings, failures):
    """One phone: wait for its moment, open the link of the day's code, send the personal code."""
    time.sleep(max(0.0, arrival - time.time()))
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    start = time.perf_counter()
    connection.request("GET", f"/hadir/{day_code}/")
    response = connection.getresponse()
    response.read()
    timings["page"].append(time.perf_counter() - start)
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
    body = urlencode({"csrfmiddlewaretoken": cookie, "day_code": day_code, "participant_code": code})
    taps = 2 if int(code[-6:]) % TWICE == 0 else 1
    for _ in range(taps):
        start = time.perf_counter()
        connection.request("POST", f"/hadir/{day_code}/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        timings["check_in"].append(time.perf_counter() - start)
        if response.status != 200:
            failures.append((code, response.status))
        cookies = response.getheader("Set-Cookie") or ""
        if "csrftoken=" in cookies:  # a new token after the first check-in: a second tap sends it
            cookie = re.search(r"csrftoken=([^;]+)", cookies).group(1)
        # The device cookie the first check-in set goes back with the second, as a browser does.
        device = re.search(r"(mutu_hadir=[^;]+)", cookies)
        if device:
            headers["Cookie"] = f"csrftoken={cookie}; {device.group(1)}"
        body = urlencode({"csrfmiddlewaretoken": cookie, "day_code": day_code, "participant_code": code})


def arrivals(args):
    """One load process: a thread per participant of its share."""
    day_code, people = args
    timings, failures = {"page": [], "check_in": []}, []
    threads = [
        threading.Thread(target=participant, args=(day_code, code, arrival, timings, failures))
        for code, arrival in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1417)
    load_options(parser, "postgresql://postgres@127.0.0.1:5432/mutu_bench_attendance")
    options = parser.parse_args()

    env, backend = bench_env(
        "attendance",
        options.database_url,
        MUTU_INSECURE_HTTP="1",
        MUTU_ALLOWED_HOSTS="127.0.0.1",
        MUTU_LOG_LEVEL="WARNING",
    )
    env["MUTU_STATIC_ROOT"] = env["MUTU_VAR_DIR"] + "/static"
    manage_or_exit(
        [
            ["migrate", "--noinput"],
            ["createcachetable"],
            ["load_regions", "--province", "14"],
            ["collectstatic", "--noinput", "-v0"],
        ],
        env,
    )
    setup_django(env)
    from django.db import connections
    from programme import build_event

    from mutu.programme import events
    from mutu.programme.models import Attendance

    lpmp, _cohort, event = build_event(options.participants, "Rush", present=False)
    session = event.sessions.get()
    day_code = events.open_code(actor=lpmp, session=session, day=1, minutes=120).code
    codes = list(event.participants.values_list("code", flat=True))
    rng = random.Random(1)

    with gunicorn(env, PORT, options.workers, options.threads):
        connections.close_all()  # the load processes are forked and never touch the database
        begin = time.time() + 2  # every thread started before the first arrival
        people = [(code, begin + rng.uniform(0, options.seconds)) for code in codes]
        shares = [(day_code, people[i :: options.processes]) for i in range(options.processes)]
        with multiprocessing.get_context("fork").Pool(options.processes) as pool:
            parts = pool.map(arrivals, shares)
        elapsed = time.time() - begin

    timings, failures = {"page": [], "check_in": []}, []
    for part_timings, part_failures in parts:
        for kind, values in part_timings.items():
            timings[kind] += values
        failures += part_failures
    present = Attendance.objects.filter(participant__event=event, day=1)
    stored = present.count()
    people_present = present.values("participant").distinct().count()
    check_ins, page = sorted(timings["check_in"]), sorted(timings["page"])
    result = {
        **stamp(),
        "load_generator": f"same machine, {options.processes} processes of Python threads",
        "note": options.note,
        "backend": backend,
        "gunicorn": f"{options.workers} workers × {options.threads} threads",
        "participants": len(codes),
        "seconds": round(elapsed, 1),
        "check_ins_sent": len(check_ins),
        "double_taps": len(check_ins) - len(codes),
        "check_in_p50_ms": round(percentile(check_ins, 0.5) * 1000, 1),
        "check_in_p95_ms": round(percentile(check_ins, 0.95) * 1000, 1),
        "check_in_p99_ms": round(percentile(check_ins, 0.99) * 1000, 1),
        "page_p95_ms": round(percentile(page, 0.95) * 1000, 1),
        "failures": len(failures),
        "failure_statuses": sorted({status for _code, status in failures}),
        "stored": stored,
        "lost": len(codes) - people_present,
        "twice": stored - people_present,
        "goal_met": percentile(check_ins, 0.95) <= 0.25 and not failures and stored == people_present == len(codes),
    }
    record("attendance_load", result)


if __name__ == "__main__":
    main()
