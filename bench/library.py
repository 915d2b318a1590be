"""Indicator-library benchmark: 1,000,000 indicator rows of 100,000 forms in PostgreSQL, 20 concurrent clients.

Measures the suggestion lookup (/api/library/suggest) and an entry's statistics (the entry page and
/api/library/entries/{code}/statistics), p95 with 20 clients: targets ≤ 50 ms and ≤ 300 ms. Then, with
--sqlite, the same requests on SQLite with the demo data (one client): target ≤ 20 ms.

    python bench/library.py [--forms 100000] [--rows 10] [--entries 2000] [--clients 20] [--requests 20]
                            [--database-url URL] [--keep] [--sqlite]

Forms are bulk-inserted with minimal records (the library reads only their indicator rows); the usage rows
are written with COPY, linked to entries the way link_form would (85 % of rows by name, 15 % names no
entry has). Statistics are then computed once per entry (the precomputed, cached statistics the pages read;
a save drops them for the entries its form uses) — the time that takes is printed too.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

import web  # bench/web.py: database, server, clients, p95, machine

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jixiao_bench_library"
LEVEL2 = ("数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标")
SUBJECTS = ("培训", "检查", "宣传", "调解", "援助", "鉴定", "公证", "巡查", "维修", "监测", "救助", "补贴", "验收",
            "采购", "接访", "走访", "防控", "整治", "服务", "建设")
OBJECTS = ("人次", "场次", "案件", "项目", "户数", "企业", "村居", "学校", "道路", "设备")
MEASURES = (("数量", "个", "≥"), ("完成率", "%", "≥"), ("合格率", "%", "≥"), ("及时率", "%", "≥"),
            ("满意度", "%", "≥"), ("成本", "万元", "≤"), ("投诉率", "%", "≤"), ("覆盖率", "%", "≥"))


def entry_names(count: int) -> list[tuple[str, str, str, str]]:
    """(name, level2, unit, op) of `count` distinct indicators, built from a small vocabulary."""
    names = []
    for prefix in ("", "年度", "全年", "当年"):  # 1,600 names per prefix
        for s in SUBJECTS:
            for o in OBJECTS:
                for (m, unit, op) in MEASURES:
                    level2 = "服务对象满意度指标" if m == "满意度" else LEVEL2[len(names) % 5]
                    names.append((f"{prefix}{s}{o}{m}", level2, unit, op))
    random.Random(7).shuffle(names)
    return names[:count]


def load(forms: int, rows: int, entries: int) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection

    from jixiao.core.library import normalise_name
    from jixiao.web.library import services
    from jixiao.web.library.models import Entry
    from jixiao.web.models import Membership, Org, PerformanceForm, Phase, Role

    started = time.perf_counter()
    finance_org = Org.objects.create(name="某市财政局", kind=Org.Kind.FINANCE)
    units = []
    for d in range(50):
        department = Org.objects.create(name=f"部门{d:02d}", kind=Org.Kind.DEPARTMENT, parent=finance_org)
        units += [Org.objects.create(name=f"部门{d:02d}单位{u:02d}", parent=department) for u in range(20)]
    finance = User.objects.create_user("finance")
    Membership.objects.create(user=finance, org=finance_org, role=Role.FINANCE)
    specs = entry_names(entries)
    Entry.objects.bulk_create([
        Entry(code=f"B{n:05d}", name=name, norm=normalise_name(name), level1="满意度指标" if "满意" in level2 else "产出指标",
              level2=level2, unit=unit, op=op, explanation=f"{name}的说明", search=normalise_name(name))
        for n, (name, level2, unit, op) in enumerate(specs)])
    entry_ids = list(Entry.objects.order_by("code").values_list("id", flat=True))
    rng = random.Random(13)
    weights = [1 / (k + 10) for k in range(len(specs))]  # a long tail: a few entries used far more often
    form_ids: list[int] = []
    for start in range(0, forms, 5000):
        batch = [PerformanceForm(unit=units[n % len(units)], department_id=units[n % len(units)].parent_id,
                                 year=2019 + n % 5, project=f"项目{n % 3000:04d}", phase=Phase.TARGET,
                                 record={"schema": "jixiao.form/1", "project": f"项目{n % 3000:04d}", "indicators": []})
                 for n in range(start, min(start + 5000, forms))]
        form_ids += [f.pk for f in PerformanceForm.objects.bulk_create(batch)]
    forms_seconds = time.perf_counter() - started
    columns = ("form_id", "index", "entry_id", "how", "score", "name", "norm", "level2", "target", "actual",
               "target_number", "target_unit", "actual_number", "actual_unit", "met", "year", "unit_id",
               "department_id", "region", "project", "phase")
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY library_usage ({', '.join(columns)}) FROM STDIN") as copy:
        for n, form_id in enumerate(form_ids):
            unit = units[n % len(units)]
            picks = rng.choices(range(len(specs)), weights=weights, k=rows)
            for i, k in enumerate(picks):
                name, level2, measure, op = specs[k]
                linked = rng.random() < 0.85
                base = Decimal(95) if measure == "%" else Decimal(rng.randint(10, 500))
                target = min(base * Decimal(rng.randint(80, 100)) / 100, Decimal(100)).quantize(Decimal(1))
                actual = (target * Decimal(rng.randint(85, 140)) / 100).quantize(Decimal(1))
                shown = name if linked else f"{name}（其他{rng.randint(1, 400)}）"
                copy.write_row((form_id, i, entry_ids[k] if linked else None, "exact" if linked else "none", 1.0,
                                shown, normalise_name(shown), level2, f"{op}{target}{measure}", f"{actual}{measure}",
                                target, measure, actual, measure, actual >= target if op == "≥" else actual <= target,
                                2019 + n % 5, unit.pk, unit.parent_id, "某市财政局", f"项目{n % 3000:04d}", "target"))
    rows_seconds = time.perf_counter() - started - forms_seconds
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    started_stats = time.perf_counter()
    per_entry = []
    for entry in Entry.objects.all():
        t = time.perf_counter()
        services.statistics(entry)
        per_entry.append((time.perf_counter() - t) * 1000)
    return {"forms": forms_seconds, "rows": rows_seconds, "stats": time.perf_counter() - started_stats,
            "stats_per_entry": per_entry, "finance": finance}


def scenarios(rng: random.Random, limit: int = 200) -> tuple[list[str], list[str], list[str]]:
    from jixiao.web.library.models import Entry

    codes = list(Entry.objects.order_by("-uses").values_list("code", flat=True)[:limit])
    rng.shuffle(codes)
    typed = [f"{s}{o}"[: rng.randint(2, 4)] for s in SUBJECTS for o in OBJECTS[:3]]
    typed += ["满意", "完成率", "培训人次", "援助案件数", "检查企业合格", "维修道路及时"]
    suggest = [f"/api/library/suggest?q={q}&year=2023" for q in typed]
    return suggest, [f"/library/entries/{c}/" for c in codes], [f"/api/library/entries/{c}/statistics" for c in codes]


def run(base: str, server: int, headers: dict[str, str], clients: int, requests: int, paths: list[tuple[str, list[str]]],
        targets: dict[str, float], database: str | None) -> None:
    """Each request kind in turn: `clients` closed-loop clients on kept-alive connections (bench/web.py's
    measure); CPU of the server and of the PostgreSQL backends of `database` (None: SQLite, none)."""
    for _, ps in paths:  # steady state: every path once (an entry's chart and page body are made on its first visit, then kept)
        web.measure(base, ps, headers, 4, len(ps) // 4 + 1)
    print(f"{'请求':<34} {'中位数 ms':>10} {'p95 ms':>10} {'请求数':>8} {'每秒':>6} {'CPU ms/请求（服务/PG）':>22}  目标")
    for name, ps in paths:
        before, started = web.cpu_use(server, database or "-"), time.perf_counter()
        latencies = web.measure(base, ps, headers, clients, requests)
        after, elapsed = web.cpu_use(server, database or "-"), time.perf_counter() - started
        n = len(latencies)
        pg = f"{(after[1] - before[1]) * 1000 / n:.1f}" if database else "—"
        cpu = f"{(after[0] - before[0]) * 1000 / n:.1f} / {pg}"
        target = targets[name]
        verdict = f"≤ {target:.0f} ms {'达到' if web.p95(latencies) <= target else '未达到'}"
        print(f"{name:<34} {statistics.median(latencies):>10.1f} {web.p95(latencies):>10.1f} {n:>8} "
              f"{n / elapsed:>6.0f} {cpu:>22}  {verdict}")


def postgres(args: Any) -> None:
    data_dir = tempfile.mkdtemp(prefix="jixiao-bench-library-")
    if not args.keep or not web.database_exists(args.database_url):
        web.recreate_database(args.database_url)
    web.setup_django(args.database_url, data_dir)
    from django.contrib.auth.models import User

    from jixiao.web.library.models import Usage
    from jixiao.web.tokens import create_token

    if Usage.objects.count() != args.forms * args.rows:
        if args.keep:
            web.recreate_database(args.database_url)
            web.setup_django(args.database_url, data_dir)
        loaded = load(args.forms, args.rows, args.entries)
        per = loaded["stats_per_entry"]
        print(f"载入 {args.forms:,} 张表：{loaded['forms']:.1f} 秒；{args.forms * args.rows:,} 个指标行（COPY）："
              f"{loaded['rows']:.1f} 秒；{len(per):,} 个指标的统计预先计算：{loaded['stats']:.1f} 秒"
              f"（每个指标中位数 {statistics.median(per):.0f} ms，最慢 {max(per):.0f} ms）")
    token = create_token(User.objects.get(username="finance"))
    suggest, pages, api = scenarios(random.Random(3))
    port = web.free_port()
    server = web.start_server(args.database_url, data_dir, port, args.threads, args.processes)
    from jixiao.web.library.models import Entry

    print(f"PostgreSQL：{Usage.objects.count():,} 个指标行，{Entry.objects.count():,} 个指标；{args.clients} 个并发客户端，每个客户端每种请求 "
          f"{args.requests} 次；waitress {args.processes} 个进程 × {args.threads} 线程；负载 {os.getloadavg()[0]:.1f}")
    try:
        run(f"http://127.0.0.1:{port}", server.pid, {"Authorization": f"Bearer {token}"}, args.clients, args.requests,
            [("推荐 /api/library/suggest", suggest), ("指标统计页 /library/entries/{code}/", pages),
             ("统计 API …/{code}/statistics", api)],
            {"推荐 /api/library/suggest": 50, "指标统计页 /library/entries/{code}/": 300,
             "统计 API …/{code}/statistics": 300}, args.database_url)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"机器：{web.machine()}；负载（1 分钟平均）：{os.getloadavg()[0]:.1f}")


def sqlite(args: Any) -> None:
    """The demo data (jixiao serve --demo) in SQLite, one client: what a single user of `make run` sees."""
    import subprocess

    data_dir = tempfile.mkdtemp(prefix="jixiao-bench-library-sqlite-")
    env = dict(os.environ, JIXIAO_DATA_DIR=data_dir, JIXIAO_SECRET_KEY="bench-only")
    env.pop("DATABASE_URL", None)
    code = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE']='jixiao.web.settings'; django.setup();"
            "from django.core.management import call_command; call_command('migrate', verbosity=0);"
            "from jixiao.web.demo import load_demo; load_demo({'admin': 'bench-pw'}, library_history=True);"
            "from django.contrib.auth.models import User; from jixiao.web.tokens import create_token;"
            "print(create_token(User.objects.get(username='admin')))")
    token = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1]
    port = web.free_port()
    server = web.start_server(f"sqlite:///{data_dir}/jixiao.sqlite3", data_dir, port, args.threads, 1)
    import json
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/library/entries?page_size=200",
                                     headers={"Authorization": f"Bearer {token}"})
    codes = [e["code"] for e in json.load(urllib.request.urlopen(request))["items"]]
    suggest = [f"/api/library/suggest?q={q}&year=2020" for q in ("满意", "培训", "案件", "律师", "人民群众", "调解纠纷")]
    print(f"\nSQLite（演示数据，{len(codes)} 个指标）：1 个客户端，每种请求 {args.requests * 5} 次")
    try:
        run(f"http://127.0.0.1:{port}", server.pid, {"Authorization": f"Bearer {token}"}, 1, args.requests * 5,
            [("推荐 /api/library/suggest", suggest), ("指标统计页 /library/entries/{code}/",
                                                   [f"/library/entries/{c}/" for c in codes]),
             ("统计 API …/{code}/statistics", [f"/api/library/entries/{c}/statistics" for c in codes])],
            dict.fromkeys(("推荐 /api/library/suggest", "指标统计页 /library/entries/{code}/",
                           "统计 API …/{code}/statistics"), 20.0), None)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = web.arguments(__doc__, requests=20, url_variable="BENCH_LIBRARY_DATABASE_URL", default_url=DEFAULT_URL)
    parser.set_defaults(forms=100_000)
    parser.add_argument("--rows", type=int, default=10, help="indicator rows per form")
    parser.add_argument("--entries", type=int, default=2000, help="library entries")
    parser.add_argument("--sqlite", action="store_true", help="also measure SQLite with the demo data")
    parser.add_argument("--sqlite-only", action="store_true", help="only the SQLite measurement")
    args = parser.parse_args()
    if not args.sqlite_only:
        postgres(args)
    if args.sqlite or args.sqlite_only:
        sqlite(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
