"""Load benchmark: 20 clients for 60 s against the app (waitress, `jixiao serve`) on PostgreSQL, reads and
saves mixed, as a working day's traffic is.

Each client, in a loop until the time is up: four reads in five (the list page, a filtered list page,
a form's page, the API list, a form in the API) and one save in five (the API's PATCH of one of its
own forms, conditional on the version it read, as the editor saves; the GET of the form before it is
counted as a read). Prints the requests, the errors (any answer but 2xx, target 0), the p95 latency of
reads (target ≤ 200 ms) and of saves (≤ 400 ms), and the CPU per request of the server, of the
PostgreSQL backends of its database, and of the clients.

The client model: `--clients` threads of this process, closed loop (each sends its next request as soon
as the last is answered, no pause between them), each on one HTTP/1.1 connection kept alive from request
to request, as a browser keeps its connection (opened again only when the server closes it).

    python bench/load.py [--forms 20000] [--clients 20] [--seconds 60] [--database-url URL] [--keep]

Reuses bench/web.py's corpus (the seed's forms varied), server start and measures.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

from web import (
    Client,
    arguments,
    cpu_use,
    database_exists,
    free_port,
    load,
    machine,
    p95,
    recreate_database,
    session_cookie,
    setup_django,
    start_server,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jixiao_load_bench"


def _request(client: Client, path: str, headers: dict[str, str], method: str = "GET",
             body: dict[str, Any] | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    return client.request(method, path, {**headers, **({"Content-Type": "application/json"} if data else {})}, data)


def run(base: str, clients: int, seconds: float, reads: list[tuple[str, dict[str, str]]],
        saves: list[list[int]], clerk: dict[str, str]) -> dict[str, Any]:
    """Every client reads and saves until the time is up; latencies (ms) by kind, and the errors."""
    lock = threading.Lock()
    found: dict[str, list[float]] = {"read": [], "save": []}
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        rng = random.Random(k)
        mine: dict[str, list[float]] = {"read": [], "save": []}
        bad: list[str] = []
        connection = Client(base)  # one kept-alive connection per client, as a browser's
        while time.perf_counter() < stop:
            if rng.random() < 0.2:
                pk = rng.choice(saves[k])
                start = time.perf_counter()
                status, body = _request(connection, f"/api/forms/{pk}", clerk)  # what the editor loaded: a read
                mine["read"].append((time.perf_counter() - start) * 1000)
                if status != 200:
                    bad.append(f"GET /api/forms/{pk}: {status}")
                    continue
                form = json.loads(body)
                record = form["form"]
                record["goals"]["achieved"] = f"完成情况说明 {rng.randint(0, 10**6)}"
                start = time.perf_counter()
                path = f"PATCH /api/forms/{pk}"
                status, _ = _request(connection, f"/api/forms/{pk}", clerk, "PATCH",
                                     {"form": record, "version": form["version"]})
                mine["save"].append((time.perf_counter() - start) * 1000)
            else:
                path, headers = rng.choice(reads)
                start = time.perf_counter()
                status, _ = _request(connection, path, headers)
                mine["read"].append((time.perf_counter() - start) * 1000)
            if not 200 <= status < 300:
                bad.append(f"{path}: {status}")
        connection.close()
        with lock:
            for kind in found:
                found[kind].extend(mine[kind])
            errors.extend(bad)

    workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {**found, "errors": errors}


def main() -> int:
    parser = arguments(__doc__, requests=0, url_variable="LOAD_DATABASE_URL", default_url=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="jixiao-load-")
    if not args.keep or not database_exists(args.database_url):
        recreate_database(args.database_url)
    setup_django(args.database_url, data_dir)
    from django.contrib.auth.models import User

    from jixiao.web.models import Membership, PerformanceForm, Role
    from jixiao.web.tokens import create_token

    if PerformanceForm.objects.count() != args.forms:
        if args.keep:
            recreate_database(args.database_url)
            setup_django(args.database_url, data_dir)
        loaded = load(args.forms)
        print(f"载入 {args.forms} 张表（评分、复核、批量写入）：{loaded['seconds']:.1f} 秒")
    finance = User.objects.get(username="finance")
    # The saving account administers every unit (manager of the finance bureau's forms), so that each
    # client saves forms of its own: two clients saving one form would be a real conflict (409), not load.
    editor = User.objects.get(username="clerk")
    Membership.objects.get_or_create(user=editor, org=Membership.objects.get(user=finance).org, role=Role.ADMIN)
    own = list(PerformanceForm.objects.order_by("pk").values_list("pk", flat=True)[: 20 * args.clients])
    saves = [own[k::args.clients] for k in range(args.clients)]
    rng = random.Random(5)
    ids = list(PerformanceForm.objects.values_list("pk", flat=True))
    some = [rng.choice(ids) for _ in range(200)]
    page = {"Cookie": session_cookie(finance)}
    api = {"Authorization": f"Bearer {create_token(finance)}"}
    clerk_api = {"Authorization": f"Bearer {create_token(editor)}"}
    reads = [("/", page), ("/?year=2019&errors=yes", page), ("/?page=150", page),
             *((f"/forms/{i}/", page) for i in some[:50]), ("/api/forms", api), ("/api/forms?year=2020&page=7", api),
             *((f"/api/forms/{i}", api) for i in some[50:100])]

    port = free_port()
    server = start_server(args.database_url, data_dir, port, args.threads, args.processes)
    base = f"http://127.0.0.1:{port}"
    try:
        run(base, 2, 3, reads, saves, clerk_api)  # warm up connections and caches
        load_before = os.getloadavg()[0]
        before, started, client_cpu = cpu_use(server.pid, args.database_url), time.perf_counter(), time.process_time()
        result = run(base, args.clients, args.seconds, reads, saves, clerk_api)
        elapsed, after = time.perf_counter() - started, cpu_use(server.pid, args.database_url)
        client_cpu = time.process_time() - client_cpu
    finally:
        server.terminate()
        server.wait(timeout=10)
    reads_ms, saves_ms, errors = result["read"], result["save"], result["errors"]
    total = len(reads_ms) + len(saves_ms)
    print(f"{args.clients} 个并发客户端，{args.seconds:.0f} 秒，{args.forms} 张表；waitress {args.processes} 个进程 × "
          f"{args.threads} 线程")
    print(f"请求 {total} 次（每秒 {total / elapsed:.0f}）：读取 {len(reads_ms)}，保存 {len(saves_ms)}；"
          f"错误 {len(errors)}{'，例如 ' + '；'.join(errors[:3]) if errors else ''}")
    print(f"读取（页面与 API） 中位数 {statistics.median(reads_ms):.1f} ms，p95 {p95(reads_ms):.1f} ms（目标 ≤ 200 ms）")
    print(f"保存（API PATCH）  中位数 {statistics.median(saves_ms):.1f} ms，p95 {p95(saves_ms):.1f} ms（目标 ≤ 400 ms）")
    print(f"CPU：服务 {(after[0] - before[0]) * 1000 / total:.1f} ms/请求，PostgreSQL "
          f"{(after[1] - before[1]) * 1000 / total:.1f} ms/请求，客户端 {client_cpu * 1000 / total:.1f} ms/请求")
    met = not errors and p95(reads_ms) <= 200 and p95(saves_ms) <= 400
    print(f"目标：{'达到' if met else '未达到'}")
    print(f"机器：{machine()}；负载（1 分钟平均）：开始 {load_before:.1f}，结束 {os.getloadavg()[0]:.1f}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
