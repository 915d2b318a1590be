"""An entry's benchmark: every unit's target and actual by year, outliers, and the chart drawn as SVG on the server.

The chart needs no script and no CDN: one box per year for targets (Q1–Q3 with the median) and one for actuals,
a dot per unit, the chosen unit's dots marked, and the outliers (outside Q1 ÷ f … Q3 × f, f the T11 factor) ringed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from jixiao.core.library import Spread, spread
from jixiao.core.scoring import fmt
from jixiao.web.library.models import Entry, EntryStats, linked_usage
from jixiao.web.library.services import settings


@dataclass(frozen=True)
class Point:
    year: int
    unit_id: int
    unit: str
    department: str
    project: str
    form_id: int
    target: Decimal | None
    actual: Decimal | None
    target_text: str
    actual_text: str
    met: bool | None
    outlier: str = ""  # "目标偏高" / "目标偏低" / ""

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "unit": {"id": self.unit_id, "name": self.unit}, "department": self.department,
                "project": self.project, "form": self.form_id, "target": self.target_text,
                "actual": self.actual_text, "target_number": None if self.target is None else fmt(self.target),
                "actual_number": None if self.actual is None else fmt(self.actual), "met": self.met,
                "outlier": self.outlier}


@dataclass(frozen=True)
class Benchmark:
    entry: Entry
    measure: str
    points: tuple[Point, ...]
    years: tuple[int, ...]
    targets: dict[int, Spread]
    actuals: dict[int, Spread]

    @property
    def outliers(self) -> list[Point]:
        return [p for p in self.points if p.outlier]

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.entry.code, "measure": self.measure, "years": list(self.years),
                "targets": {str(y): s.as_dict() for y, s in self.targets.items()},
                "actuals": {str(y): s.as_dict() for y, s in self.actuals.items()},
                "points": [p.as_dict() for p in self.points],
                "outliers": [p.as_dict() for p in self.outliers]}


MAX_POINTS = 2000  # a chart of more dots says nothing more; the statistics page gives the spreads of all rows
MAX_DOTS = 150  # per year and kind


def build(entry: Entry, department_id: int | None = None) -> Benchmark:
    rows = linked_usage().filter(entry=entry)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    units = rows.values_list("target_unit").exclude(target_number=None)
    counts: dict[str, int] = defaultdict(int)
    for (u,) in units.iterator():
        counts[u] += 1
    measure = max(counts.items(), key=lambda kv: kv[1])[0] if counts else entry.unit
    data = list(rows.filter(target_unit=measure).exclude(target_number=None).order_by("year", "unit_id", "form_id")
                .values("year", "unit_id", "unit__name", "department__name", "project", "form_id", "target_number",
                        "actual_number", "actual_unit", "target", "actual", "met")[:MAX_POINTS])
    by_year_t: dict[int, list[Decimal]] = defaultdict(list)
    by_year_a: dict[int, list[Decimal]] = defaultdict(list)
    for r in data:
        by_year_t[r["year"]].append(r["target_number"])
        if r["actual_number"] is not None and r["actual_unit"] == measure:
            by_year_a[r["year"]].append(r["actual_number"])
    targets = {y: s for y, v in by_year_t.items() if (s := spread(v))}
    actuals = {y: s for y, v in by_year_a.items() if (s := spread(v))}
    factor = settings().t11_factor
    points = tuple(Point(r["year"], r["unit_id"], r["unit__name"], r["department__name"] or "", r["project"],
                         r["form_id"], r["target_number"],
                         r["actual_number"] if r["actual_unit"] == measure else None, r["target"], r["actual"],
                         r["met"], _outlier(r["target_number"], targets.get(r["year"]), factor))
                   for r in data)
    return Benchmark(entry, measure, points, tuple(sorted(by_year_t)), targets, actuals)


def _outlier(target: Decimal, s: Spread | None, factor: Decimal) -> str:
    if s is None or s.n < settings().min_peers:
        return ""
    if target > s.q3 * factor:
        return "目标偏高"
    if target < s.q1 / factor:
        return "目标偏低"
    return ""


# ---------------------------------------------------------------- the chart

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 320, 64, 16, 24, 40
TARGET_COLOUR, ACTUAL_COLOUR, MINE, OUTLIER = "#2f6db5", "#d9822b", "#c0392b", "#7b1fa2"


def svg(bench: Benchmark, unit_id: int | None = None) -> str:
    """The benchmark chart as an SVG element (text), accessible by its title and description."""
    values = [v for p in bench.points for v in (p.target, p.actual) if v is not None]
    title = f"{bench.entry.name}：各单位年度指标值与实际完成值（{bench.measure or '无单位'}）"
    if not values:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="bench-chart" role="img" viewBox="0 0 {WIDTH} 60">'
                f'<title>{escape(title)}</title><text x="10" y="30">暂无可比较的数值</text></svg>')
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) / 10
    low, high = low - pad, high + pad
    plot_h = HEIGHT - TOP - BOTTOM

    def y(v: Decimal) -> float:
        return round(TOP + float((high - v) / (high - low)) * plot_h, 1)

    years = bench.years
    band = (WIDTH - LEFT - RIGHT) / max(len(years), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bench-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
             f' aria-labelledby="bench-title bench-desc"><title id="bench-title">{escape(title)}</title>'
             f'<desc id="bench-desc">每年左侧为年度指标值、右侧为实际完成值；方框为四分位范围，横线为中位数，'
             f'圆点为各单位，红色为所选单位，紫色圆圈为离群目标。</desc>']
    for tick in range(5):  # axis with five labels
        v = low + (high - low) * Decimal(tick) / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v)}" y2="{y(v)}" stroke="#e3e3e3"/>'
                     f'<text x="{LEFT - 6}" y="{y(v) + 4}" text-anchor="end" font-size="11">'
                     f'{escape(fmt(v.quantize(Decimal("0.01")).normalize()))}</text>')
    for i, year in enumerate(years):
        x0 = LEFT + i * band
        parts.append(f'<text x="{x0 + band / 2:.1f}" y="{HEIGHT - 14}" text-anchor="middle" font-size="12">{year}年</text>')
        for offset, spreads, colour, kind in ((0.3, bench.targets, TARGET_COLOUR, "target"),
                                              (0.7, bench.actuals, ACTUAL_COLOUR, "actual")):
            cx = x0 + band * offset
            s = spreads.get(year)
            if s is not None:
                w = min(band * 0.3, 60)
                parts.append(f'<rect x="{cx - w / 2:.1f}" y="{y(s.q3)}" width="{w:.1f}" height="{max(y(s.q1) - y(s.q3), 1):.1f}"'
                             f' fill="{colour}" fill-opacity="0.15" stroke="{colour}"/>'
                             f'<line x1="{cx - w / 2:.1f}" x2="{cx + w / 2:.1f}" y1="{y(s.median)}" y2="{y(s.median)}"'
                             f' stroke="{colour}" stroke-width="2"/>')
            dots = [p for p in bench.points if p.year == year and getattr(p, kind) is not None]
            for j, p in enumerate(dots[:MAX_DOTS] + [p for p in dots[MAX_DOTS:] if p.unit_id == unit_id]):
                v = getattr(p, kind)
                jitter = ((j * 37) % 21 - 10) * min(band * 0.012, 1.2)
                mine = unit_id is not None and p.unit_id == unit_id
                said = ("目标 " + p.target_text) if kind == "target" else ("实际 " + p.actual_text)
                label = escape(f"{p.unit} {p.project} {year}年 {said}")
                fill = MINE if mine else colour
                r = 5 if mine else 3
                marked = ' data-mine="1"' if mine else ""
                ring = (f'<circle cx="{cx + jitter:.1f}" cy="{y(v)}" r="7" fill="none" stroke="{OUTLIER}" stroke-width="1.5"/>'
                        if kind == "target" and p.outlier else "")
                parts.append(f'<circle cx="{cx + jitter:.1f}" cy="{y(v)}" r="{r}" fill="{fill}" fill-opacity="0.8"'
                             f'{marked}><title>{label}</title></circle>{ring}')
    parts.append(f'<g font-size="11"><rect x="{LEFT}" y="4" width="10" height="10" fill="{TARGET_COLOUR}"/>'
                 f'<text x="{LEFT + 14}" y="13">年度指标值</text>'
                 f'<rect x="{LEFT + 90}" y="4" width="10" height="10" fill="{ACTUAL_COLOUR}"/>'
                 f'<text x="{LEFT + 104}" y="13">实际完成值</text>'
                 f'<circle cx="{LEFT + 185}" cy="9" r="5" fill="{MINE}"/><text x="{LEFT + 194}" y="13">本单位</text>'
                 f'<circle cx="{LEFT + 250}" cy="9" r="6" fill="none" stroke="{OUTLIER}"/>'
                 f'<text x="{LEFT + 260}" y="13">离群目标</text></g></svg>')
    return "".join(parts)


def _shown(bench: Benchmark, unit_id: int | None) -> dict[str, Any]:
    outliers = [{"year": p.year, "unit": p.unit, "project": p.project, "form_id": p.form_id,
                 "target_text": p.target_text, "actual_text": p.actual_text, "outlier": p.outlier}
                for p in bench.outliers]
    return {"svg": svg(bench, unit_id), "outliers": outliers, "points": len(bench.points), "measure": bench.measure}


def departments(entry: Entry) -> list[tuple[int, str]]:
    """The departments whose units use an entry (the page's choice of scope), by name."""
    from jixiao.web.models import Org

    ids = linked_usage().filter(entry=entry).values("department_id")
    return list(Org.objects.filter(kind=Org.Kind.DEPARTMENT, pk__in=ids).order_by("name").values_list("pk", "name"))


def cached(entry: Entry, kept: EntryStats | None, department_id: int | None, unit_id: int | None) -> dict[str, Any]:
    """The chart, outliers, counts and departments of a benchmark, kept until the entry's statistics change:
    the whole entry's beside its statistics (`kept`, read with the entry; every server process shares it), a
    department's or a marked unit's per process."""
    from django.core.cache import cache

    if department_id is None and unit_id is None and kept is not None:
        if kept.chart is None or "departments" not in kept.chart:
            kept.chart = {**_shown(build(entry), None), "departments": departments(entry)}
            EntryStats.objects.filter(pk=kept.pk).update(chart=kept.chart)  # not save(): keeps computed_at
        chart: dict[str, Any] = kept.chart
        return chart
    stamp = kept.computed_at.timestamp() if kept else 0
    key = f"library-bench:{entry.pk}:{department_id}:{unit_id}:{stamp}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = {**_shown(build(entry, department_id), unit_id), "departments": departments(entry)}
        if kept is not None:
            cache.set(key, found, 3600)
    return found
