"""Overview benchmark (issue 5): 20,000 forms in PostgreSQL, the year's overview under 20 concurrent clients.

Prints the median and p95 latency of the overview page (whole year, one department, the API) and the
machine. Target: p95 ≤ 500 ms. Loading, serving and measuring are bench/web.py's (the same forms, the
same waitress server); this adds a mix of review stages and a re-check draw so that every figure of the
overview has something to count.

    python bench/overview.py [--forms 20000] [--clients 20] [--requests 10] [--database-url URL] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web  # bench/web.py: load, start_server, measure, p95, machine

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jixiao_bench_overview"
STAGES = ("draft", "submitted", "returned", "approved", "rechecked", "published")


def spread_stages() -> None:
    """Give the forms a mix of review stages (by id), in one UPDATE per stage."""
    from django.db.models import F

    from jixiao.web.models import PerformanceForm

    for n, stage in enumerate(STAGES):
        PerformanceForm.objects.annotate(m=F("pk") % len(STAGES)).filter(m=n).update(stage=stage)


def main() -> int:
    args = web.arguments(
        __doc__, requests=10, url_variable="BENCH_OVERVIEW_DATABASE_URL", default_url=DEFAULT_URL
    ).parse_args()

    data_dir = tempfile.mkdtemp(prefix="jixiao-bench-overview-")
    if not args.keep or not web.database_exists(args.database_url):
        web.recreate_database(args.database_url)
    web.setup_django(args.database_url, data_dir)
    from django.contrib.auth.models import User

    from jixiao.web.models import Org, PerformanceForm
    from jixiao.web.review import overview, recheck
    from jixiao.web.tokens import create_token

    if PerformanceForm.objects.count() != args.forms:
        if args.keep:
            web.recreate_database(args.database_url)
            web.setup_django(args.database_url, data_dir)
        loaded = web.load(args.forms)
        print(f"载入 {args.forms} 张表（评分、复核、批量写入）：{loaded['seconds']:.1f} 秒")
        spread_stages()
        finance = User.objects.get(username="finance")
        recheck.draw_sample(finance, year=2019, share="10%", seed=2019)
    finance = User.objects.get(username="finance")
    cookie = web.session_cookie(finance)
    token = create_token(finance)
    department = Org.objects.filter(kind=Org.Kind.DEPARTMENT).order_by("pk").values_list("pk", flat=True)[3]
    started = time.perf_counter()
    figures = overview.overview(finance, 2019)
    one_call = (time.perf_counter() - started) * 1000
    print(f"2019 年度：{figures['total']} 张表，{figures['with_errors']} 张有错误；单次 overview() {one_call:.0f} ms")

    print(f"负载（1/5/15 分钟）：{os.getloadavg()}")
    for cached in (True, False):
        # The server reads JIXIAO_OVERVIEW_CACHE_SECONDS from its environment: 0 computes every overview.
        os.environ["JIXIAO_OVERVIEW_CACHE_SECONDS"] = "300" if cached else "0"
        port = web.free_port()
        server = web.start_server(args.database_url, data_dir, port, args.threads, args.processes)
        base = f"http://127.0.0.1:{port}"
        try:
            run(base, server.pid, cookie, token, department, args, cached)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"负载（1/5/15 分钟）：{os.getloadavg()}")
    print(f"机器：{web.machine()}")
    return 0


def run(base: str, server: int, cookie: str, token: str, department: int, args: argparse.Namespace,
        cached: bool) -> None:
    page = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {token}"}
    scenarios = [
        ("总览 /review/overview/（全年，全部部门）", [f"/review/overview/?year={y}" for y in (2019, 2020, 2021)], page),
        ("总览 按主管部门", [f"/review/overview/?year=2019&department={department}"], page),
        ("API /api/overview", [f"/api/overview?year={y}" for y in (2019, 2022)], api),
        ("总览背后的表 /review/?…", ["/review/?year=2019&rate=lt60", "/review/?year=2019&code=R01",
                                   "/review/?year=2019&diff=higher&stage=approved"], page),
    ]
    # Warm up connections, and (with the cache) each page once per server process: the steady state.
    for _, paths, headers in scenarios:
        web.measure(base, paths, headers, args.clients, len(paths))
    print(f"\n{'有缓存（稳定状态）' if cached else '无缓存（每次都聚合）'}：{args.clients} 个并发客户端，"
          f"每个场景每个客户端 {args.requests} 次请求；waitress {args.processes} 个进程 × {args.threads} 线程")
    print(f"{'页面':<36} {'中位数 ms':>10} {'p95 ms':>10} {'请求数':>8} {'每秒':>6} {'CPU ms/请求（服务/PG）':>22}")
    worst = 0.0
    for name, paths, headers in scenarios:
        before, started = web.cpu_use(server), time.perf_counter()
        latencies = web.measure(base, paths, headers, args.clients, args.requests)
        after, elapsed = web.cpu_use(server), time.perf_counter() - started
        if name.startswith(("总览 ", "API")):  # the target is the overview's; the list is shown for reference
            worst = max(worst, web.p95(latencies))
        n = len(latencies)
        cpu = f"{(after[0] - before[0]) * 1000 / n:.1f} / {(after[1] - before[1]) * 1000 / n:.1f}"
        print(f"{name:<36} {statistics.median(latencies):>10.1f} {web.p95(latencies):>10.1f} {n:>8} "
              f"{n / elapsed:>6.0f} {cpu:>22}")
    print(f"总览最差 p95：{worst:.1f} ms（目标 ≤ 500 ms：{'达到' if worst <= 500 else '未达到'}）")


if __name__ == "__main__":
    sys.exit(main())
