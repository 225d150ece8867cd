"""Benchmark: answer saves under load — gunicorn + PostgreSQL on loopback, bounded run.

    .venv/bin/python bench/answer_load.py [--seconds 60] [--clients 48] [--pause 0] [--database-url URL]

Sets up a round with open respondent slots, starts gunicorn on 127.0.0.1, and lets `--clients`
concurrent respondents each fetch their page (for the CSRF cookie) then autosave answers one by one
(the sync request a phone sends per choice, static/js/respond.js), changing earlier answers as real people do, until the
time is up. Afterwards every respondent's stored answers are compared with the last answer each
client sent: none may be lost, none may differ, and no question may hold two answers.
Goal (issue #3): ≥ 200 saves/s with p95 under 250 ms. Results: bench/results/answer_load.jsonl.
Only loopback addresses are used; the run stops by itself.
"""

import argparse
import http.client
import json
import multiprocessing
import random
import re
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from common import bench_env, gunicorn, load_options, manage_or_exit, record, setup_django, stamp

PORT = 8765


def client_loop(code, questions, deadline, pause, latencies, sent, errors):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection.request("GET", f"/r/{code}/")
    response = connection.getresponse()
    response.read()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"csrftoken={cookie}",
        "X-CSRFToken": cookie,
        "Referer": f"http://127.0.0.1:{PORT}/r/{code}/",
    }
    rng = random.Random(code)
    while time.perf_counter() < deadline:
        question_id, option_ids = rng.choice(questions)
        option_id = rng.choice(option_ids)
        answer = {"key": uuid.uuid4().hex, "question": question_id, "values": [str(option_id)]}
        body = json.dumps({"answers": [answer | {"client_time": datetime.now(UTC).isoformat()}]})
        start = time.perf_counter()
        connection.request("POST", f"/r/{code}/sync/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        if response.status == 200:
            sent[(code, str(question_id))] = option_id
        else:
            errors.append(response.status)
        if pause:
            time.sleep(rng.uniform(0, 2 * pause))


def client_group(args):
    """One load process: a thread per respondent (several processes, so the GIL of a single
    generator process does not add its own queueing to the latencies measured)."""
    codes, questions, deadline, pause = args
    latencies, sent, errors = [], {}, []
    threads = [
        threading.Thread(target=client_loop, args=(code, questions, deadline, pause, latencies, sent, errors))
        for code in codes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, sent, errors


def main():
    parser = argparse.ArgumentParser()
    load_options(parser, "postgresql://postgres@127.0.0.1:5432/mutu_bench_load")
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--pause", type=float, default=0.0, help="Mean think time between answers, seconds")
    options = parser.parse_args()

    env, _backend = bench_env(
        "load",
        options.database_url,
        MUTU_INSECURE_HTTP="1",
        MUTU_ALLOWED_HOSTS="127.0.0.1",
        MUTU_CODE_ATTEMPTS="1000000",
        MUTU_LOG_LEVEL="WARNING",
    )
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
    import numpy as np
    from django.db import connections

    from mutu.instruments.models import Option
    from mutu.mapping import services
    from mutu.mapping.models import Respondent
    from mutu.mapping.synth import default_instrument, ensure_schools
    from mutu.regions.models import Province

    riau = Province.objects.get(code="14")
    schools = ensure_schools(riau, 20, np.random.default_rng(1))
    round_ = services.create_round(
        actor=None,
        name="Uji beban",
        year=date.today().year,
        instrument=default_instrument(),
        province=riau,
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=1),
        quotas={},
    )
    from mutu.schools.models import School

    sd = [s for s in School.objects.filter(id__in=[r[0] for r in schools], level="SD")][:5]
    slots = []
    for school in sd:
        slots += services.add_respondents(
            actor=None, round_=round_, school=school, respondent_type="guru", count=options.clients // len(sd) + 1
        )
    slots = slots[: options.clients]
    questionnaire = services.questionnaire_for(slots[0])
    questions = {}
    for question_id, option_id in Option.objects.filter(question__questionnaire=questionnaire).values_list(
        "question_id", "id"
    ):
        questions.setdefault(question_id, []).append(option_id)
    questions = list(questions.items())

    with gunicorn(env, PORT, options.workers, options.threads):
        connections.close_all()  # the client processes are forked and never touch the database
        start = time.perf_counter()
        deadline = start + options.seconds
        codes = [s.code for s in slots]
        groups = [(codes[i :: options.processes], questions, deadline, options.pause) for i in range(options.processes)]
        with multiprocessing.get_context("fork").Pool(options.processes) as pool:
            parts = pool.map(client_group, groups)
        elapsed = time.perf_counter() - start
        latencies, sent, errors = [], {}, []
        for part_latencies, part_sent, part_errors in parts:
            latencies += part_latencies
            sent.update(part_sent)
            errors += part_errors

    stored = {}
    for code, draft in Respondent.objects.filter(round=round_).values_list("code", "draft"):
        for question_id, option_id in draft.items():
            stored[(code, question_id)] = option_id
    lost = sum(1 for key in sent if key not in stored)
    differ = sum(1 for key, value in sent.items() if stored.get(key) != value)
    extra = sum(1 for key in stored if key not in sent)
    latencies.sort()
    ok = len(latencies) - len(errors)
    result = {
        **stamp(),
        "load_generator": f"same machine, {options.processes} processes of Python threads",
        "note": options.note,
        "backend": "postgresql",
        "gunicorn": f"{options.workers} workers × {options.threads} threads",
        "clients": len(slots),
        "pause_s": options.pause,
        "seconds": round(elapsed, 1),
        "saves": ok,
        "saves_per_s": round(ok / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "errors": len(errors),
        "answers_checked": len(sent),
        "lost": lost,
        "differ": differ,
        "unexpected": extra,
        "goal_met": ok / elapsed >= 200
        and latencies[int(len(latencies) * 0.95)] < 0.25
        and not (lost or differ or extra),
    }
    record("answer_load", result)


if __name__ == "__main__":
    main()
