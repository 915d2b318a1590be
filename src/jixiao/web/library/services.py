"""The library's service functions: entries and their reviewed changes, linking stored forms, statistics and
suggestions for the editors (the checks of forms and the editors' row comparisons are in checks.py)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from jixiao.core import library as core
from jixiao.core.library_checks import (
    Settings,
    parse_settings,
)
from jixiao.core.model import Form, from_record
from jixiao.core.values import Value
from jixiao.web import fixed_sql
from jixiao.web.forms.access import can_edit, roles, visible_forms
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.library.models import Entry, EntryChange, EntryStats, Usage, linked_usage
from jixiao.web.models import Org, PerformanceForm, Role
from jixiao.web.ops.params import is_id

User = AbstractBaseUser | AnonymousUser
MANAGERS = {Role.FINANCE.value, Role.ADMIN.value}


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The shipped settings (src/jixiao/data/library.toml)."""
    return parse_settings((resources.files("jixiao") / "data" / "library.toml").read_text(encoding="utf-8"))


def can_manage(user: User) -> bool:
    """The finance bureau (and admins) manage the library: import, export, approve changes."""
    return bool(user.is_authenticated and roles(user) & MANAGERS)  # type: ignore[arg-type]


def require_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied("只有财政部门（财政复核或管理员）可以管理指标库。")


# ---------------------------------------------------------------- entries


def to_core(entry: Entry) -> core.Entry:
    return core.Entry(
        code=entry.code, name=entry.name, level1=entry.level1, level2=entry.level2, kind=entry.kind, op=entry.op,
        unit=entry.unit, explanation=entry.explanation, formula=entry.formula, standard=entry.standard,
        data_source=entry.data_source, common=entry.common, owner=entry.owner, valid_from=entry.valid_from,
        valid_to=entry.valid_to, status=entry.status, provenance=entry.provenance, aliases=tuple(entry.aliases),
    )


def record_of(entry: Entry) -> dict[str, Any]:
    return core.entry_to_record(to_core(entry))


def _write(entry: Entry, parsed: core.Entry) -> Entry:
    for key, _ in core.FIELDS:
        value = getattr(parsed, key)
        setattr(entry, key, list(value) if key == "aliases" else value)
    entry.norm = core.normalise_name(parsed.name)[:200]
    entry.search = "|".join(dict.fromkeys(core.normalise_name(n) for n in (parsed.name, *parsed.aliases)))
    entry.save()
    return entry


_cache: dict[str, Any] = {}


_STAMP = fixed_sql.Statement(Entry, lambda connection: (
    f"SELECT COUNT(*), MAX({fixed_sql.column(connection, Entry, 'id')}),"
    f" MAX({fixed_sql.column(connection, Entry, 'updated_at')}) FROM {fixed_sql.table(connection, Entry)}"))


def _stamp() -> tuple[Any, ...]:
    """The entries' count, last id and last change: one fixed statement (the ORM's compiling of the aggregate
    cost more than the query itself, on every suggestion)."""
    return tuple(_STAMP.rows([])[0])


def _fresh() -> dict[str, Any]:
    """The entries in memory (core Library, rows by code, search keys most used first), rebuilt when the
    table changed: one aggregate query per call (count, last id, last change)."""
    stamp = _stamp()
    if _cache.get("stamp") != stamp:
        rows = sorted(Entry.objects.all(), key=lambda e: (-e.uses, e.code))
        active = [e for e in rows if e.status == Entry.Status.ACTIVE]
        starts, at = [], 0
        for e in active:
            starts.append(at)
            at += len(e.search) + 1
        _cache.update(stamp=stamp, library=core.Library([to_core(e) for e in rows], settings().similarity_threshold),
                      rows={e.code: e for e in rows}, codes=[e.code for e in active], starts=starts,
                      text="\n".join(e.search for e in active))
    return _cache


def library() -> core.Library:
    """The entries as a core Library, rebuilt only when an entry changed (count, last id, last change)."""
    lib: core.Library = _fresh()["library"]
    return lib


def apply(record: Mapping[str, Any], action: str = "", where: str = "记录",
          relink_usage: bool = True) -> tuple[Entry, dict[str, Any] | None]:
    """Write an entry record (add, change, or retire with status "retired"); returns the entry and its old record.

    Usage rows are matched again when the names changed, unless the caller does it once for many entries."""
    parsed = core.entry_from_record(record, where)
    entry = Entry.objects.filter(code=parsed.code).first()
    before = record_of(entry) if entry else None
    if action == EntryChange.Action.RETIRE:
        if entry is None:
            raise ServiceError(f"{where}：指标库中没有代码为 {parsed.code} 的指标，无法出库。")
        parsed = core.entry_from_record({**record_of(entry), "status": "retired"}, where)
    written = _write(entry or Entry(), parsed)
    renamed = before is None or before.get("name") != parsed.name or before.get("aliases") != list(parsed.aliases)
    if relink_usage and renamed:
        relink(Usage.objects.filter(Q(entry__isnull=True) | Q(entry=written)))
    return written, before


def propose(user: User, action: str, record: Mapping[str, Any], reason: str = "") -> EntryChange:
    """A change for review; the record is checked now, so that a reviewer only sees well-formed proposals."""
    if not user.is_authenticated:
        raise PermissionDenied("请先登录。")
    if action not in EntryChange.Action.values:
        raise ServiceError("变更类型应为 add（入库）、change（修改）或 retire（出库）。")
    try:
        parsed = core.entry_from_record(record)
    except core.EntryError as e:
        raise ServiceError(str(e), {"record": [str(e)]}) from e
    existing = Entry.objects.filter(code=parsed.code).first()
    if action == EntryChange.Action.ADD and existing is not None:
        raise ServiceError(f"指标代码 {parsed.code} 已在指标库中，请选择“修改”。", {"code": ["代码已存在"]})
    if action != EntryChange.Action.ADD and existing is None:
        raise ServiceError(f"指标库中没有代码为 {parsed.code} 的指标。", {"code": ["代码不存在"]})
    change = EntryChange.objects.create(entry=existing, code=parsed.code, action=action,
                                        record=core.entry_to_record(parsed), reason=reason,
                                        proposed_by=user if isinstance(user, AbstractBaseUser) else None)
    _touch(parsed.code)
    return change


def _touch(code: str) -> None:
    """Mark an entry changed (its history grew): the entry page kept under its time stamp is made again."""
    Entry.objects.filter(code=code).update(updated_at=timezone.now())


@transaction.atomic
def decide(user: User, change_id: int, approve: bool, comment: str = "") -> EntryChange:
    """Approve (the entry is written, the change kept as its history) or reject a pending change."""
    require_manager(user)
    change = EntryChange.objects.select_for_update().filter(pk=change_id).first()
    if change is None:
        raise ServiceError("没有这条指标变更申请。", status=404)
    if change.status != EntryChange.Status.PENDING:
        raise ServiceError(f"这条申请已{change.get_status_display()}，不能再审核。", status=409)
    if approve:
        entry, before = apply(change.record, change.action)
        change.entry, change.before = entry, before
    change.status = EntryChange.Status.APPROVED if approve else EntryChange.Status.REJECTED
    change.decided_by = user if isinstance(user, AbstractBaseUser) else None
    change.decided_at, change.comment = timezone.now(), comment
    change.save()
    _touch(change.code)
    return change


def history(entry: Entry) -> list[EntryChange]:
    return list(EntryChange.objects.filter(code=entry.code).select_related("proposed_by", "decided_by"))


# ---------------------------------------------------------------- usage: stored forms linked to entries


def _region(unit: Org) -> str:
    """The finance bureau (root of the org tree) above a unit: the region its figures belong to."""
    root = unit.path.strip("/").split("/")[0] if unit.path else ""
    return _org_name(int(root)) if is_id(root) else ""


@lru_cache(maxsize=4096)
def _org_name(pk: int) -> str:
    org = Org.objects.filter(pk=pk).only("name").first()
    return org.name if org else ""


def _number(value: Value) -> Decimal | None:
    if value.number is None or abs(value.number) >= Decimal(10) ** 17:
        return None
    return value.number.quantize(Decimal("0.000001"))


def usages_of(stored: PerformanceForm, form: Form, lib: core.Library) -> list[Usage]:
    """The Usage rows of a stored form: each named indicator row with its best match."""
    rows = []
    region = _region(stored.unit)
    for n, ind in enumerate(form.indicators):
        if not ind.name.strip():
            continue
        target, actual = ind.target_value, ind.actual_value
        match = lib.match(ind.name, ind.level2, target.unit if target.number is not None else None, form.year)
        how = Usage.How.NONE if match is None else (match.how.value if match.confirmed else Usage.How.SIMILAR)
        rows.append(Usage(
            form=stored, index=n, entry_id=None, how=how, score=match.score if match else 0,
            name=ind.name[:300], norm=core.normalise_name(ind.name)[:300], level2=ind.level2[:100],
            target=ind.target[:200], actual=ind.actual[:200], target_number=_number(target),
            target_unit=target.unit[:20], actual_number=_number(actual), actual_unit=actual.unit[:20],
            met=core.met(target, actual), year=stored.year, unit_id=stored.unit_id,
            department_id=stored.department_id, region=region[:100], project=stored.project[:300],
            phase=stored.phase,
        ))
        rows[-1].code = match.entry.code if match else ""  # type: ignore[attr-defined]
    return rows


def _resolve(rows: Sequence[Usage]) -> None:
    codes = {getattr(r, "code", "") for r in rows} - {""}
    ids = dict(Entry.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    for r in rows:
        r.entry_id = ids.get(getattr(r, "code", ""))


_ROW = tuple(f.attname for f in Usage._meta.concrete_fields if not f.primary_key)  # what a usage row holds
_FORM_USAGE = fixed_sql.Statement(Usage, lambda connection: (
    f"SELECT {', '.join(fixed_sql.columns(connection, Usage))} FROM {fixed_sql.table(connection, Usage)}"
    f" WHERE {fixed_sql.column(connection, Usage, 'form')} = %s"
    f" ORDER BY {fixed_sql.column(connection, Usage, 'index')}, {fixed_sql.column(connection, Usage, 'id')}"))


def _form_usage(form_id: int) -> list[dict[str, Any]]:
    """A form's usage rows (id and _ROW) in the order of its indicators, in one fixed statement."""
    fields = Usage._meta.concrete_fields
    names = [f.attname for f in fields]
    return [dict(zip(names, row, strict=True)) for row in _FORM_USAGE.rows([form_id], fields)]


def link_form(stored: PerformanceForm, lib: core.Library | None = None) -> bool:
    """Link a stored form's rows anew (a confirmed similar link is kept): the rows as they are now are compared
    with those stored, and only those that differ are written again, their entries' statistics dropped (a save
    that changed no indicator row writes none). Returns whether any row changed. `lib`: the library, when the
    caller has read it."""
    stored_rows = _form_usage(stored.pk)
    confirmed = {r["norm"]: r["entry_id"] for r in stored_rows if r["how"] == Usage.How.CONFIRMED}
    rows = usages_of(stored, from_record(stored.record), lib or library())
    _resolve(rows)
    for r in rows:
        if r.norm in confirmed:
            r.entry_id, r.how = confirmed[r.norm], Usage.How.CONFIRMED
    by_index = {r["index"]: r for r in stored_rows}
    same = {r.index: old["id"] for r in rows if (old := by_index.get(r.index)) is not None
            and all(old[f] == getattr(r, f) for f in _ROW)}
    kept = set(same.values())
    gone = [r for r in stored_rows if r["id"] not in kept]
    new = [r for r in rows if r.index not in same]
    if gone:
        Usage.objects.filter(pk__in=[r["id"] for r in gone]).delete()
    fixed_sql.insert(new)
    invalidate({r["entry_id"] for r in gone} | {r.entry_id for r in new})
    return bool(gone or new)


def relink(usages: Iterable[Usage]) -> int:
    """Match these usage rows again (after an entry was added or renamed); returns how many changed."""
    lib = library()
    rows = [u for u in usages if u.how != Usage.How.CONFIRMED]
    matches = [lib.match(u.name, u.level2, u.target_unit if u.target_number is not None else None, u.year)
               for u in rows]
    ids = dict(Entry.objects.filter(code__in={m.entry.code for m in matches if m}).values_list("code", "id"))
    changed, touched = [], set()
    for u, match in zip(rows, matches, strict=True):
        entry_id = ids.get(match.entry.code) if match else None
        how = Usage.How.NONE if match is None else (match.how.value if match.confirmed else Usage.How.SIMILAR)
        if entry_id != u.entry_id or how != u.how:
            touched |= {u.entry_id, entry_id}
            u.entry_id, u.how, u.score = entry_id, how, match.score if match else 0
            changed.append(u)
    Usage.objects.bulk_update(changed, ["entry", "how", "score"], batch_size=1000)
    invalidate(touched - {None})
    return len(changed)


def confirm_link(user: User, usage_id: int, entry_code: str) -> Usage:
    """The user confirms a similar link (or links an unmatched row to an entry by hand)."""
    usage = Usage.objects.filter(pk=usage_id).select_related("form").first()
    if usage is None:
        raise ServiceError("没有这一指标行。", status=404)
    if not (can_manage(user) or can_edit(user, usage.form)) or not visible_forms(user).filter(pk=usage.form_id).exists():  # type: ignore[arg-type]
        raise PermissionDenied("您不能修改这一指标行的对应关系。")
    entry = Entry.objects.filter(code=entry_code).first()
    if entry is None:
        raise ServiceError(f"指标库中没有代码为 {entry_code} 的指标。", status=404)
    old = usage.entry_id
    usage.entry, usage.how, usage.score = entry, Usage.How.CONFIRMED, 1.0
    usage.save()
    invalidate({old, entry.pk} - {None})
    return usage


def similar_links(limit: int = 100) -> list[dict[str, Any]]:
    """Names linked only by similarity, grouped by name and entry: what the finance bureau is asked to confirm."""
    rows = (Usage.objects.filter(how=Usage.How.SIMILAR).values("name", "entry__code", "entry__name")
            .annotate(rows=Count("id"), score=Max("score")).order_by("-rows", "name")[:limit])
    return list(rows)


def confirm_similar(user: User, name: str, entry_code: str) -> int:
    """Confirm every row of a name that similarity linked to an entry (a manager's decision); returns the count."""
    require_manager(user)
    entry = Entry.objects.filter(code=entry_code).first()
    if entry is None:
        raise ServiceError(f"指标库中没有代码为 {entry_code} 的指标。", status=404)
    count = Usage.objects.filter(how=Usage.How.SIMILAR, name=name, entry=entry).update(how=Usage.How.CONFIRMED,
                                                                                      score=1.0)
    invalidate([entry.pk])
    return count


def candidates(limit: int = 50) -> list[core.Candidate]:
    """Unmatched names of stored forms grouped into proposals for new entries."""
    rows = Usage.objects.filter(how=Usage.How.NONE).values_list("name", "level2", "target_unit")
    return core.group_unmatched(rows.iterator(), settings().group_threshold)[:limit]


# ---------------------------------------------------------------- statistics


def invalidate(entry_ids: Iterable[int | None]) -> None:
    ids = [i for i in entry_ids if i]
    if ids:
        EntryStats.objects.filter(entry_id__in=ids).delete()


def _value(number: Decimal | None, unit: str, text: str) -> Value:
    if number is None:
        return Value(text=text)
    return Value(text=text, number=number.normalize(), unit=unit)


def as_uses(rows: Iterable[Mapping[str, Any]]) -> list[core.Use]:
    """Usage rows (values of USE_FIELDS) as the core's uses."""
    return [core.Use(entry=str(r["entry_id"]), unit=str(r["unit_id"]), year=r["year"], project=r["project"],
                     target=_value(r["target_number"], r["target_unit"], r["target"]),
                     actual=_value(r["actual_number"], r["actual_unit"], r["actual"]),
                     department=r["department__name"] or "", region=r["region"], form=r["form_id"], index=r["index"])
            for r in rows]


USE_FIELDS = ("entry_id", "unit_id", "year", "project", "target", "target_number", "target_unit", "actual",
              "actual_number", "actual_unit", "department__name", "region", "form_id", "index")


_UNREAD: Any = object()


KEPT = ("data", "chart", "page")


def entry_with_stats(code: str, read: tuple[str, ...] = ("data",)) -> tuple[Entry | None, EntryStats | None]:
    """An entry and its kept statistics in one query, with only the kept columns named in `read` (the others are
    read when used): the chart and the page body are far larger than the statistics."""
    deferred = [f"stats__{name}" for name in KEPT if name not in read]
    entry = Entry.objects.filter(code=code).select_related("stats").defer(*deferred).first()
    return (None, None) if entry is None else (entry, kept_of(entry))


def kept_of(entry: Entry) -> EntryStats | None:
    """The kept statistics an entry was read with (select_related("stats")), or None."""
    try:
        return entry.stats
    except EntryStats.DoesNotExist:
        return None


def statistics(entry: Entry, kept: EntryStats | None = _UNREAD) -> dict[str, Any]:
    """The entry's statistics, computed once and kept until its usage changes (`kept`: the row, when the caller
    read it with the entry — see entry_with_stats)."""
    if kept is _UNREAD:
        kept = EntryStats.objects.filter(entry=entry).defer("chart", "page").first()
    if kept is not None:
        return kept.data  # type: ignore[no-any-return]
    rows = linked_usage().filter(entry=entry).values(*USE_FIELDS)
    stats = core.statistics(entry.code, as_uses(rows.iterator(chunk_size=5000))).as_dict()
    median = stats["overall"]["targets"]["median"] if stats["overall"]["targets"] else ""
    Entry.objects.filter(pk=entry.pk).update(uses=stats["rows"], units_using=stats["units"], updated_at=timezone.now(),
                                             median_target=f"{median}{stats['measure']}" if median else "")
    EntryStats.objects.update_or_create(entry=entry, defaults={"data": stats, "chart": None, "page": "", "page_stamp": ""})
    return stats


def refresh_figures(entries: Iterable[Entry]) -> None:
    """Statistics (and the list's figures) for entries that have none kept."""
    kept = set(EntryStats.objects.filter(entry__in=list(entries)).values_list("entry_id", flat=True))
    for e in entries:
        if e.pk not in kept:
            statistics(e)


# ---------------------------------------------------------------- suggestions


def suggest(q: str, level2: str = "", year: int | None = None, limit: int = 8) -> list[dict[str, Any]]:
    """Entries for a level-3 name being typed: those whose names contain it (most used first), then similar ones.

    Answered from the entries in memory (a library holds thousands, not millions): no query but the stamp's."""
    key = core.normalise_name(q)[:100]
    if not key:
        return []
    kept = _fresh()
    rows: dict[str, Entry] = kept["rows"]
    codes = _containing(kept, key, limit * 3)
    if len(codes) < limit:
        codes += [m.entry.code for m in kept["library"].matches(q, level2, None, year, limit)
                  if m.entry.code not in codes and rows[m.entry.code].status == Entry.Status.ACTIVE]
    found = [rows[c] for c in codes if to_core(rows[c]).valid_in(year)]
    stem = core.level_stem(level2)
    found.sort(key=lambda e: (bool(stem) and core.level_stem(e.level2) != stem, e.norm != key, -e.uses))
    return [suggestion(e) for e in found[:limit]]


def _containing(kept: Mapping[str, Any], key: str, most: int) -> list[str]:
    """The codes of the first `most` active entries (most used first) whose search keys contain `key`: found in
    the keys joined one a line (str.find), not by testing every entry's keys in turn."""
    text, starts, codes = kept["text"], kept["starts"], kept["codes"]
    found: list[str] = []
    at = text.find(key) if "\n" not in key else -1
    while at >= 0 and len(found) < most:
        n = bisect_right(starts, at) - 1
        found.append(codes[n])
        at = text.find(key, starts[n + 1]) if n + 1 < len(starts) else -1
    return found


def suggestion(e: Entry) -> dict[str, Any]:
    return {"code": e.code, "name": e.name, "level1": e.level1, "level2": e.level2, "kind": e.kind, "op": e.op,
            "unit": e.unit, "explanation": e.explanation, "standard": e.standard, "common": e.common,
            "uses": e.uses, "units": e.units_using, "median_target": e.median_target}


@dataclass
class Figures:
    entries: int
    linked: int
    unmatched: int


def figures() -> Figures:
    return Figures(Entry.objects.count(), linked_usage().count(), Usage.objects.filter(how=Usage.How.NONE).count())
