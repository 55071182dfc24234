"""The production server under load: gunicorn (2 workers, 127.0.0.1, DEBUG off, static files by whitenoise) driven by
a bounded load generator (threads, one http.client connection per request, fixed concurrency and duration).

The queue page is requested with a signed-in session (a session row made here for the bench user), the API list with
the bench user's token. Workers' memory is read from /proc (VmRSS now, VmHWM = peak).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str]
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            kids.append(int(entry.name))
    return sorted(kids)


def _memory_mb(pid: int) -> dict[str, float]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
    except OSError:
        pass
    return values


def _request(port: int, target: Target, timeout: float) -> tuple[float, str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", target.path, headers={"Host": "127.0.0.1", **target.headers})
        response = conn.getresponse()
        response.read()
        error = "" if response.status == 200 else f"HTTP {response.status}"
    except Exception as exc:  # counted as an error, the run goes on
        error = f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000, error


def _wait_ready(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening in time")


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,  # the same key signs the session made here
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "false",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "itsm.settings",
        }
    )
    # The database this process uses (under pytest, the test database).
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        # With the project's SQLite options (WAL, IMMEDIATE), which a sqlite:// DATABASE_URL would not give.
        env.pop("DATABASE_URL", None)
        env["ITSM_SQLITE_PATH"] = str(settings_dict["NAME"])
    elif connection.vendor == "postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        host = quote(settings_dict.get("HOST") or "", safe="")
        port = settings_dict.get("PORT") or ""
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        env["DATABASE_URL"] = f"postgres://{credentials}{host}{':' + str(port) if port else ''}/{settings_dict['NAME']}"
    return env


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_load(*, user, token: str, seconds: float, concurrency: int = 8, workers: int = 2, out=None) -> dict:
    env = server_env()
    collectstatic(env)
    port = free_port()
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # closed in finally
    proc = _start_gunicorn(env, port, workers, log)
    cookie = session_cookie(user)
    targets = [
        Target("Queue page (25 rows, session)", "/tickets/?scope=all&per_page=25", {"Cookie": cookie}),
        Target("API ticket list (25 rows, token)", "/api/tickets/?limit=25", {"Authorization": f"Token {token}"}),
    ]
    try:
        _wait_ready(port, proc)
        for target in targets:  # warm-up: every worker imports, connects and fills its caches
            for _ in range(workers * 3):
                _ms, error = _request(port, target, 30)
                if error:
                    raise RuntimeError(f"{target.name} answered {error} during warm-up (see var/bench-gunicorn.log)")
        elapsed = _hammer(port, targets, seconds, concurrency)
        kids = _children(proc.pid)
        memory = {str(pid): _memory_mb(pid) for pid in kids}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    return _load_result(targets, elapsed, memory, workers=workers, concurrency=concurrency)


def _start_gunicorn(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "itsm.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _hammer(port: int, targets: list[Target], seconds: float, concurrency: int) -> float:
    """`concurrency` threads requesting the targets in turn for `seconds`; the seconds it took."""
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        n = index
        while time.monotonic() < stop_at:
            target = targets[n % len(targets)]
            n += 1
            ms, error = _request(port, target, 30)
            with lock:
                if error:
                    target.errors.append(error)
                else:
                    target.samples.append(ms)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def _load_result(targets: list[Target], elapsed: float, memory: dict, *, workers: int, concurrency: int) -> dict:
    result = {
        "server": f"gunicorn, {workers} workers, 127.0.0.1, DEBUG=false, whitenoise",
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "workers_memory_mb": memory,
        "max_worker_rss_mb": max((m.get("VmHWM", m.get("VmRSS", 0)) for m in memory.values()), default=None),
        "targets": [],
    }
    total = 0
    for target in targets:
        done = len(target.samples)
        total += done + len(target.errors)
        row = {
            "name": target.name,
            "requests": done + len(target.errors),
            "errors": len(target.errors),
            "error_examples": sorted(set(target.errors))[:3],
            "median_ms": round(statistics.median(target.samples), 1) if done else None,
            "p99_ms": round(sorted(target.samples)[min(done - 1, int(0.99 * done))], 1) if done else None,
            "rps": round(done / elapsed, 1) if elapsed else None,
        }
        result["targets"].append(row)
    result["total_rps"] = round(total / elapsed, 1) if elapsed else None
    errors = sum(t["errors"] for t in result["targets"])
    result["errors"] = errors
    memory_ok = result["max_worker_rss_mb"] is not None and result["max_worker_rss_mb"] <= 200
    result["status"] = "OK" if errors == 0 and memory_ok else "MISS"
    return result
