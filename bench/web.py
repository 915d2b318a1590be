"""Web benchmark: 20,000 forms in PostgreSQL, served by waitress (`jixiao serve`), 20 concurrent clients.

Prints the median and p95 latency of the list, detail and API pages, and the machine. Target: p95 ≤ 200 ms.

    python bench/web.py [--forms 20000] [--clients 20] [--requests 20] [--database-url URL] [--keep]

The database (default postgres://postgres@127.0.0.1:5432/jixiao_bench) is dropped and made anew unless
--keep is given and it already holds the forms. Forms vary the seed's eleven: year, unit, project name,
executed funds and one actual value, each evaluated by jixiao.services.evaluate as the app would.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from machine_info import describe

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jixiao_bench"


def recreate_database(url: str) -> None:
    import psycopg
    from django.conf import settings

    if settings.configured:  # Django's own connection would die with the database it points at
        from django.db import connections

        connections.close_all()
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError:
        return False
    return True


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["JIXIAO_DATA_DIR"] = data_dir
    os.environ.setdefault("JIXIAO_SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.web.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def variant(form: Any, n: int, rng: random.Random) -> Any:
    """Seed form varied: year, project name, executed funds of the appropriation row, one actual value."""
    funds = []
    for f in form.funds:
        if f.kind == "appropriation" and f.amount("annual"):
            executed = (f.amount("annual") * Decimal(rng.randint(40, 100)) / 100).quantize(Decimal("0.01"))
            f = replace(f, executed=str(executed))
        funds.append(f)
    indicators = list(form.indicators)
    if indicators:
        i = rng.randrange(len(indicators))
        value = indicators[i].actual_value
        if value.number is not None:
            new = (value.number * Decimal(rng.randint(70, 130)) / 100).quantize(Decimal("0.1"))
            indicators[i] = replace(indicators[i], actual=f"{new.normalize():f}{value.unit}")
    return replace(form, year=2015 + n % 10, project=f"{form.project}（{n:05d}）", funds=tuple(funds),
                   indicators=tuple(indicators))


def load(count: int) -> dict[str, Any]:
    """Org tree (finance → 20 departments → 10 units each), users, and `count` evaluated forms."""
    from django.contrib.auth.models import User

    from jixiao import services as core_services
    from jixiao.core.model import to_record
    from jixiao.web.forms import evaluation as stored_evaluation
    from jixiao.web.models import FormFinding, Membership, Org, PerformanceForm, Phase, Role

    finance_org = Org.objects.create(name="鄂尔多斯市财政局", kind=Org.Kind.FINANCE)
    units = []
    departments = []
    for d in range(20):
        department = Org.objects.create(name=f"部门{d:02d}", kind=Org.Kind.DEPARTMENT, parent=finance_org)
        departments.append(department)
        units += [Org.objects.create(name=f"部门{d:02d}单位{u}", parent=department) for u in range(10)]
    finance = User.objects.create_user("finance")
    Membership.objects.create(user=finance, org=finance_org, role=Role.FINANCE)
    reviewer = User.objects.create_user("reviewer")
    Membership.objects.create(user=reviewer, org=departments[0], role=Role.REVIEWER)
    clerk = User.objects.create_user("clerk")
    Membership.objects.create(user=clerk, org=units[0], role=Role.FILLER)

    seed = core_services.read_paths([ROOT / "src" / "jixiao" / "data" / "seed.txt"]).forms
    rng = random.Random(20)
    started = time.perf_counter()
    batch_forms: list[PerformanceForm] = []
    batch_findings: list[list[FormFinding]] = []

    def flush() -> None:
        PerformanceForm.objects.bulk_create(batch_forms)
        for stored, findings in zip(batch_forms, batch_findings, strict=True):
            for f in findings:
                f.form = stored
        FormFinding.objects.bulk_create([f for fs in batch_findings for f in fs], batch_size=5000)
        batch_forms.clear()
        batch_findings.clear()

    for n in range(count):
        form = variant(seed[n % len(seed)], n, rng)
        unit = units[n % len(units)]
        evaluation = core_services.evaluate(form)
        columns = stored_evaluation.columns(form, evaluation)
        stored = PerformanceForm(unit=unit, department=unit.parent, record=to_record(form), phase=Phase.SELF,
                                 created_by=clerk, updated_by=clerk, **columns)
        batch_forms.append(stored)
        batch_findings.append(stored_evaluation.finding_rows(stored, evaluation))
        if len(batch_forms) == 1000:
            flush()
    if batch_forms:
        flush()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does to a live table after a bulk load
    return {"seconds": time.perf_counter() - started, "finance": finance, "reviewer": reviewer, "clerk": clerk}


def session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that logs users in by password
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, data_dir: str, port: int, threads: int, processes: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=url, JIXIAO_DATA_DIR=data_dir, JIXIAO_SECRET_KEY="bench-only")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-c", "from jixiao.cli import main; raise SystemExit(main())",
               "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads),
               "--processes", str(processes), "--no-worker"]
    # The server's log goes to a file: a pipe nobody reads fills up with waitress's "Task queue depth" warnings
    # under load, and the server's main thread then blocks writing to it (every client times out).
    log = tempfile.TemporaryFile()  # noqa: SIM115 (it lives as long as the server, which the caller stops)
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    log.seek(0)
    raise SystemExit("服务器没有启动：" + log.read().decode(errors="replace"))


class Client:
    """One benchmark client's HTTP/1.1 connection, kept open from request to request as a browser keeps it
    (keep-alive, which waitress serves); opened again when the server has closed it."""

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in range(2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if not reused or attempt:  # a fresh connection that fails is an error, not a closed idle one
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def measure(base: str, paths: list[str], headers: dict[str, str], clients: int, per_client: int) -> list[float]:
    """Latencies (ms) of clients × per_client GETs, each client walking the paths in turn on its own
    kept-alive connection, the next request as soon as the last is answered (closed loop, no pause)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client(k: int) -> None:
        mine = []
        connection = Client(base)
        for i in range(per_client):
            path = paths[(k * per_client + i) % len(paths)]
            start = time.perf_counter()
            try:
                status, _ = connection.request("GET", urllib.parse.quote(path, safe="/?=&"), headers)
                if status != 200:
                    errors.append(f"{path}: {status}")
            except Exception as e:  # every failure is reported below
                errors.append(f"{path}: {e}")
            mine.append((time.perf_counter() - start) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise SystemExit(f"{len(errors)} 个请求失败，例如 {errors[:3]}")
    return latencies


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc (0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes(match: Callable[[int, str, int], bool]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if match(int(entry.name), name, ppid):
                found.append(int(entry.name))
    return found


def cpu_use(server: int, database: str | None = None) -> tuple[float, float]:
    """CPU seconds used so far by the server's processes and by PostgreSQL's: with `database` (a name or
    URL) only the backends connected to it (PostgreSQL names each backend's database in its process
    title), so that work on other databases of the same PostgreSQL is not counted; without it, all of
    PostgreSQL's processes. Backends that ended are not counted: the server keeps its connections."""
    servers = [server, *_processes(lambda pid, name, ppid: ppid == server)]
    postgres = _processes(lambda pid, name, ppid: name.startswith("postgres"))
    if database is not None:
        db = database.rsplit("/", 1)[-1]
        postgres = [pid for pid in postgres if f" {db} " in _title(pid)]
    return sum(map(_cpu, servers)), sum(map(_cpu, postgres))


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def machine() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return f"{describe()}; Django {django.get_version()}, PostgreSQL {pg}, waitress"


def arguments(doc: str | None, *, requests: int, url_variable: str, default_url: str = DEFAULT_URL) -> argparse.ArgumentParser:
    """The options every web benchmark takes: corpus size, load, server and database."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--forms", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=requests, help="requests per client and page")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="server processes (default: CPUs)")
    parser.add_argument("--database-url", default=os.environ.get(url_variable, default_url))
    parser.add_argument("--keep", action="store_true", help="reuse the database if it holds the forms")
    return parser


def main() -> int:
    args = arguments(__doc__, requests=20, url_variable="BENCH_DATABASE_URL").parse_args()

    data_dir = tempfile.mkdtemp(prefix="jixiao-bench-")
    if not args.keep or not database_exists(args.database_url):
        recreate_database(args.database_url)
    setup_django(args.database_url, data_dir)
    from django.contrib.auth.models import User

    from jixiao.web.models import PerformanceForm

    if PerformanceForm.objects.count() != args.forms:
        if args.keep:
            recreate_database(args.database_url)
            setup_django(args.database_url, data_dir)
        loaded = load(args.forms)
        print(f"载入 {args.forms} 张表（评分、复核、批量写入）：{loaded['seconds']:.1f} 秒")
    users = {u.username: u for u in User.objects.filter(username__in=["finance", "reviewer", "clerk"])}
    rng = random.Random(5)
    ids = list(PerformanceForm.objects.values_list("pk", flat=True))
    some = [rng.choice(ids) for _ in range(200)]
    finance_cookie = session_cookie(users["finance"])
    from jixiao.web.tokens import create_token

    token = create_token(users["finance"])

    port = free_port()
    server = start_server(args.database_url, data_dir, port, args.threads, args.processes)
    base = f"http://127.0.0.1:{port}"
    page = {"Cookie": finance_cookie}
    api = {"Authorization": f"Bearer {token}"}
    scenarios = [
        ("列表 /（财政复核，全部 20,000 张，第 1 页）", ["/"], page),
        ("列表 筛选+搜索+翻页", ["/?year=2019&errors=yes", "/?q=社区矫正", "/?page=150", "/?grade=良&department=3"], page),
        ("详情 /forms/{id}/", [f"/forms/{i}/" for i in some], page),
        ("API 列表 /api/forms", ["/api/forms", "/api/forms?year=2020&page=7"], api),
        ("API 详情 /api/forms/{id}", [f"/api/forms/{i}" for i in some], api),
    ]
    try:
        measure(base, ["/", f"/forms/{some[0]}/"], page, 2, 5)  # warm up connections and caches
        print(f"{args.clients} 个并发客户端，每个页面每个客户端 {args.requests} 次请求；"
              f"waitress {args.processes} 个进程 × {args.threads} 线程")
        print(f"{'页面':<40} {'中位数 ms':>10} {'p95 ms':>10} {'请求数':>8} {'每秒':>6} {'CPU ms/请求（服务/PG/客户端）':>26}")
        worst = 0.0
        for name, paths, headers in scenarios:
            before, started, client_cpu = cpu_use(server.pid, args.database_url), time.perf_counter(), time.process_time()
            latencies = measure(base, paths, headers, args.clients, args.requests)
            after, elapsed = cpu_use(server.pid, args.database_url), time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu
            worst = max(worst, p95(latencies))
            n = len(latencies)
            cpu = (f"{(after[0] - before[0]) * 1000 / n:.1f} / {(after[1] - before[1]) * 1000 / n:.1f}"
                   f" / {client_cpu * 1000 / n:.1f}")
            print(f"{name:<40} {statistics.median(latencies):>10.1f} {p95(latencies):>10.1f} {n:>8} "
                  f"{n / elapsed:>6.0f} {cpu:>26}")
        print(f"最差 p95：{worst:.1f} ms（目标 ≤ 200 ms：{'达到' if worst <= 200 else '未达到'}）")
        print(f"机器：{machine()}；测量时的负载（1 分钟平均）：{os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
