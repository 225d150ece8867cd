"""Shared pieces of the benchmark scripts: environment, child processes, result records."""

import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def ensure_database(url):
    """A fresh, empty PostgreSQL database for `url` (dropped first if it exists)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def bench_env(prefix, database_url="", fresh=True, **extra):
    """(environment, backend name) for a run in its own folder; the database at `database_url` when
    given (PostgreSQL: emptied first unless `fresh` is false)."""
    work = Path(tempfile.mkdtemp(prefix=f"mutu-bench-{prefix}-"))
    # Pages are timed for people already signed in: no second factor asked (as in the tests).
    env = {**os.environ, "MUTU_ALLOW_INSECURE_KEY": "1", "MUTU_REQUIRE_2FA": "0", "MUTU_VAR_DIR": str(work), **extra}
    if database_url:
        env["DATABASE_URL"] = database_url
        if fresh and database_url.startswith("postgres"):
            ensure_database(database_url)
    return env, "postgresql" if database_url.startswith("postgres") else "sqlite"


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


def manage_or_exit(steps, env):
    for step in steps:
        done = manage(step, env)
        if done.returncode:
            raise SystemExit(done.stderr)


def timed_child(args, env):
    """Run one child process; returns its wall time `s`, peak RSS `rss` (MB; of the largest process in
    its tree, since ru_maxrss of waited-for children covers grandchildren), return code and output."""
    script = (
        "import resource,subprocess,sys,time,json;"
        "t=time.perf_counter();p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "d=time.perf_counter()-t;"
        "print(json.dumps({'s':d,'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
        "'rc':p.returncode,'out':p.stdout[-400:],'err':p.stderr[-2000:]}))"
    )
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    return json.loads(done.stdout)


def setup_django(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def stamp():
    """When, where and which code: records are only comparable within one commit and machine."""
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    # Uncommitted changes to code, not to the records these scripts append to.
    status = [*git, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"]
    dirty = subprocess.run(status, capture_output=True, text=True)
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "commit": commit + ("+changes" if dirty.stdout.strip() else ""),
    }


def record(name, result):
    """Append one result to bench/results/<name>.jsonl and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / f"{name}.jsonl").open("a") as handle:
        handle.write(json.dumps(result) + "\n")
    print(json.dumps(result, indent=2))


@contextlib.contextmanager
def demo_server(prefix, database_url=""):
    """The demo (load_demo) in a fresh database under gunicorn (2 workers) with one db_worker, as in
    production; yields (base URL, environment, backend name, worker process)."""
    env, backend = bench_env(prefix, database_url, MUTU_INSECURE_HTTP="1", MUTU_LOG_LEVEL="WARNING")
    env["MUTU_STATIC_ROOT"] = str(Path(env["MUTU_VAR_DIR"]) / "static")
    manage_or_exit(
        [["migrate", "-v0"], ["createcachetable"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]], env
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quiet = {"env": env, "cwd": ROOT, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "120"],
        **quiet,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"], **quiet
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base, env, backend, worker
    finally:
        worker.terminate()
        server.terminate()


@contextlib.contextmanager
def gunicorn(env, port, workers, threads):
    """Mutu under gunicorn on 127.0.0.1:`port` (gthread workers, as docs/production.md), until the
    block ends; yields once /healthz answers."""
    import http.client
    import signal

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
        + ["-k", "gthread", "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer on port {port}")
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def percentile(ordered, share):
    """The value at `share` (0–1) of an ascending list."""
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def load_options(parser, database_url):
    """The options of the load benches (answers, check-ins): the server under load and the record."""
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (docs/production.md: 2)")
    parser.add_argument("--processes", type=int, default=4, help="Load generator processes")
    parser.add_argument("--note", default="", help="What else ran on the machine, recorded with the result")
    parser.add_argument("--database-url", default=database_url)
