"""The library's checks of forms (stored or being edited) and the editors' row comparisons: peers and a unit's
history from the stored forms' usage rows, and the library findings stored with a form (kept in step when a form
they compare with is saved)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, F, Max

from jixiao.core import library as core
from jixiao.core.findings import Finding
from jixiao.core.library_checks import Evidence, Peers, check_with_library, evidence_for, peers_from
from jixiao.core.model import Form, from_record
from jixiao.core.values import Value
from jixiao.web import fixed_sql
from jixiao.web.library.models import Entry, linked_usage
from jixiao.web.library.services import USE_FIELDS, as_uses, library, link_form, settings, suggestion
from jixiao.web.models import FormFinding, PerformanceForm


def _peers(entry: Entry, unit_id: int | None, year: int | None) -> Peers:
    """Other units' targets of an entry up to a year (from the usage rows; one indexed query)."""
    rows = linked_usage().filter(entry=entry)
    if year is not None:
        rows = rows.filter(year__lte=year)
    return peers_from(as_uses(rows.values(*USE_FIELDS)), str(unit_id), year)


def evidence(form: Form, unit_id: int, entries: Sequence[Entry], exclude_form: int | None = None) -> Evidence:
    """The peers and this unit's history for the entries a form uses (none: no query)."""
    if not entries:
        return evidence_for(form, str(unit_id), [])
    rows = linked_usage().filter(entry__in=entries)
    if form.year is not None:
        rows = rows.filter(year__lte=form.year)
    if exclude_form is not None:
        rows = rows.exclude(form_id=exclude_form)
    uses = as_uses(rows.values(*USE_FIELDS))
    codes = {str(e.pk): e.code for e in entries}
    uses = [core.Use(**{**u.__dict__, "entry": codes[u.entry]}) for u in uses]
    return evidence_for(form, str(unit_id), uses)


def _entries_of(form: Form, profile: str, lib: core.Library) -> list[Entry]:
    """The entries a form's rows match (by name) in the library `lib`, and those its profile requires."""
    codes = {m.entry.code for ind in form.indicators if ind.name
             for m in lib.matches(ind.name, ind.level2, None, form.year, 1) if m.how is not core.How.SIMILAR}
    codes |= set(settings().required_common.get(profile, ()))
    return list(Entry.objects.filter(code__in=codes)) if codes else []


def check_form(form: Form, unit_id: int, profile: str, exclude_form: int | None = None,
               lib: core.Library | None = None) -> list[Finding]:
    """The library checks of a form (stored or being edited) against the stored forms of other units and years
    (`lib`: the library, when the caller has read it)."""
    lib = lib or library()  # read once: each read asks the database whether the library changed
    entries = _entries_of(form, profile, lib)
    return check_with_library(form, lib, evidence(form, unit_id, entries, exclude_form), settings(), profile)


def compare(form: Form, unit_id: int | None, profile: str = "", exclude_form: int | None = None) -> dict[str, Any]:
    """For the editors: each row's entry, peers' median and quartiles, the unit's last year, and the checks."""
    lib = library()
    entries = {e.code: e for e in _entries_of(form, profile, lib)}
    ev = evidence(form, unit_id or 0, list(entries.values()), exclude_form)
    rows = []
    for n, ind in enumerate(form.indicators):
        match = lib.match(ind.name, ind.level2, None, form.year) if ind.name else None
        if match is None or match.entry.code not in entries:
            rows.append({"index": n, "entry": None})
            continue
        peers = ev.peers.get(match.entry.code)
        last = [u for u in ev.history.get(match.entry.code, ()) if form.year and u.year == form.year - 1]
        rows.append({"index": n, "how": match.how.value, "entry": suggestion(entries[match.entry.code]),
                     "peers": _peers_dict(peers), "last_year": _last_dict(last[-1]) if last else None,
                     "position": _position(ind.target_value, peers)})
    findings = check_with_library(form, lib, ev, settings(), profile) if unit_id else []
    return {"rows": rows, "findings": [f.as_dict() for f in findings]}


def _peers_dict(peers: Peers | None) -> dict[str, Any] | None:
    if peers is None or peers.targets is None:
        return None
    return {"units": peers.units, "measure": peers.measure, "years": list(peers.years or ()),
            **peers.targets.as_dict()}


def _last_dict(use: core.Use) -> dict[str, Any]:
    return {"year": use.year, "target": use.target.text, "actual": use.actual.text}


def _position(target: Value, peers: Peers | None) -> str:
    """Where a target stands among the peers' targets, in words."""
    if peers is None or peers.targets is None or target.number is None:
        return ""
    if target.unit != peers.measure:
        return f"单位“{target.unit or '无'}”与同类（{peers.measure or '无单位'}）不同"
    s = peers.targets
    if target.number < s.q1:
        return "低于同类下四分位数"
    if target.number > s.q3:
        return "高于同类上四分位数"
    return "处于同类中间一半范围内"


def after_form_saved(stored: PerformanceForm, findings: int | None = None) -> None:
    """Link the saved form's rows and add the library's findings to its stored findings (and their counts;
    `findings`: how many save_form has just stored in place of all it had); then, if its usage rows changed,
    check again the stored forms of the same unit and project of later years, whose findings compare with this
    one (T10: a target below last year's actual; L03: always beaten) and would otherwise go stale. When no usage
    row changed, what those checks read of this form is what they read before: they would find the same."""
    lib = library()  # read once for all: each read asks the database whether the library changed
    changed = link_form(stored, lib)
    store_findings(stored, replace=False, lib=lib, start=findings)
    if not changed:
        return
    later = PerformanceForm.objects.filter(unit_id=stored.unit_id, project=stored.project, year__gt=stored.year)
    for form in later.exclude(pk=stored.pk).order_by("year", "pk"):
        store_findings(form, lib=lib)


SOURCE = {"check": "library"}  # in the location of each library finding stored: what store_findings replaces


def store_findings(stored: PerformanceForm, replace: bool = True, lib: core.Library | None = None,
                   start: int | None = None) -> list[Finding]:
    """Check a stored form against the library and the other stored forms, and store the findings in place of
    the library findings it had (`replace`), keeping its finding counts right (in the database and on `stored`).
    `start`: the position of the first (one past the last stored), when the caller knows it."""
    findings = check_form(from_record(stored.record), stored.unit_id, stored.profile, exclude_form=stored.pk,
                          lib=lib)
    counts = {s: sum(f.severity.value == s for f in findings) for s in ("error", "warning", "info")}
    if replace:
        old = FormFinding.objects.filter(form=stored, location__check=SOURCE["check"])
        for severity, n in old.order_by().values_list("severity").annotate(n=Count("id")):
            counts[severity] = counts.get(severity, 0) - n
        old.delete()
    if findings and start is None:
        start = (FormFinding.objects.filter(form=stored).aggregate(last=Max("position"))["last"] or -1) + 1
    fixed_sql.insert([
        FormFinding(form=stored, position=(start or 0) + n, code=f.code, severity=f.severity.value,
                    location={**f.location.as_dict(), **SOURCE}, found=f.found, expected=f.expected,
                    message=f.message)
        for n, f in enumerate(findings)
    ])
    if any(counts.values()):
        PerformanceForm.objects.filter(pk=stored.pk).update(
            warning_count=F("warning_count") + counts["warning"], info_count=F("info_count") + counts["info"],
            error_count=F("error_count") + counts["error"])
        stored.warning_count += counts["warning"]
        stored.info_count += counts["info"]
        stored.error_count += counts["error"]
    return findings
