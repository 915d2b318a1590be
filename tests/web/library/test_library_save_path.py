"""A save's library work done in fewer statements stores what the full work stored (issue 16, the load
benchmark's saves): each edit below is made twice from the same state, once by the save path as it is and once
by the path it replaced (kept here, frozen, as the reference: every usage row deleted and written again, the
library findings checked with the ORM's queries, the later years of the project always checked again), and the
stored findings, counts, usage links, statistics and history must be the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.test.utils import CaptureQueriesContext
from library_helpers import aid_form

from jixiao.core.library_checks import check_with_library, evidence_for
from jixiao.core.model import from_record
from jixiao.web.forms.store import save_form
from jixiao.web.library import checks, services
from jixiao.web.library.models import Entry, Usage, linked_usage
from jixiao.web.models import FormFinding, PerformanceForm
from jixiao.web.review.models import FieldChange, FormVersion

# ---------------------------------------------------------------- the path replaced (44affa8), frozen


def _old_evidence(form: Any, unit_id: int, entries: list[Entry], exclude_form: int | None) -> Any:
    rows = linked_usage().filter(entry__in=entries)
    if form.year is not None:
        rows = rows.filter(year__lte=form.year)
    if exclude_form is not None:
        rows = rows.exclude(form_id=exclude_form)
    uses = services.as_uses(rows.values(*services.USE_FIELDS))
    codes = {str(e.pk): e.code for e in entries}
    from jixiao.core import library as core

    uses = [core.Use(**{**u.__dict__, "entry": codes[u.entry]}) for u in uses]
    return evidence_for(form, str(unit_id), uses)


def _old_check_form(form: Any, unit_id: int, profile: str, exclude_form: int | None) -> Any:
    lib = services.library()
    codes = {m.entry.code for ind in form.indicators if ind.name
             for m in lib.matches(ind.name, ind.level2, None, form.year, 1) if m.how.value != "similar"}
    codes |= set(services.settings().required_common.get(profile, ()))
    entries = list(Entry.objects.filter(code__in=codes))
    return check_with_library(form, lib, _old_evidence(form, unit_id, entries, exclude_form), services.settings(),
                              profile)


def _old_store_findings(stored: PerformanceForm, replace: bool = True) -> None:
    findings = _old_check_form(from_record(stored.record), stored.unit_id, stored.profile, stored.pk)
    counts = {s: sum(f.severity.value == s for f in findings) for s in ("error", "warning", "info")}
    if replace:
        old = FormFinding.objects.filter(form=stored, location__check="library")
        for severity, n in old.order_by().values_list("severity").annotate(n=Count("id")):
            counts[severity] = counts.get(severity, 0) - n
        old.delete()
    start = (FormFinding.objects.filter(form=stored).aggregate(last=Max("position"))["last"] or -1) + 1
    FormFinding.objects.bulk_create([
        FormFinding(form=stored, position=start + n, code=f.code, severity=f.severity.value,
                    location={**f.location.as_dict(), "check": "library"}, found=f.found, expected=f.expected,
                    message=f.message)
        for n, f in enumerate(findings)])
    if any(counts.values()):
        PerformanceForm.objects.filter(pk=stored.pk).update(
            warning_count=F("warning_count") + counts["warning"], info_count=F("info_count") + counts["info"],
            error_count=F("error_count") + counts["error"])


def _old_link_form(stored: PerformanceForm) -> None:
    confirmed = dict(Usage.objects.filter(form=stored, how=Usage.How.CONFIRMED).values_list("norm", "entry_id"))
    old = set(Usage.objects.filter(form=stored).exclude(entry=None).values_list("entry_id", flat=True))
    Usage.objects.filter(form=stored).delete()
    rows = services.usages_of(stored, from_record(stored.record), services.library())
    services._resolve(rows)
    for r in rows:
        if r.norm in confirmed:
            r.entry_id, r.how = confirmed[r.norm], Usage.How.CONFIRMED
    Usage.objects.bulk_create(rows)
    services.invalidate(old | {r.entry_id for r in rows if r.entry_id})


def _old_after_form_saved(stored: PerformanceForm, findings: int | None = None) -> None:
    _old_link_form(stored)
    _old_store_findings(stored, replace=False)
    later = PerformanceForm.objects.filter(unit_id=stored.unit_id, project=stored.project, year__gt=stored.year)
    for form in later.exclude(pk=stored.pk).order_by("year", "pk"):
        _old_store_findings(form)


# ---------------------------------------------------------------- what is compared


def _stored() -> dict[str, Any]:
    """Everything a save leaves that a reader sees, without ids and times (the two runs differ in those)."""
    forms = list(PerformanceForm.objects.order_by("pk").values(
        "pk", "version", "year", "project", "unit_id", "department_id", "record", "scorecard", "grade",
        "error_count", "warning_count", "info_count", "profile"))
    findings = list(FormFinding.objects.order_by("form_id", "position", "id").values(
        "form_id", "position", "code", "severity", "location", "found", "expected", "message"))
    usage = list(Usage.objects.order_by("form_id", "index").values(*services._ROW))
    history = list(FieldChange.objects.order_by("id").values("form_id", "version", "path", "old", "new", "stage"))
    versions = list(FormVersion.objects.order_by("form_id", "version").values("form_id", "version", "record",
                                                                              "kind", "stage"))
    statistics = {e.code: services.statistics(e) for e in Entry.objects.order_by("code")}
    return {"forms": forms, "findings": findings, "usage": usage, "history": history, "versions": versions,
            "statistics": statistics}


def _both_ways(monkeypatch: pytest.MonkeyPatch, edit: Callable[[], Any]) -> dict[str, Any]:
    """The edit made by the save path as it is (then undone), and by the frozen one (kept): what each stored."""
    with transaction.atomic():
        point = transaction.savepoint()
        edit()
        now = _stored()
        transaction.savepoint_rollback(point)
    with monkeypatch.context() as patched:
        patched.setattr(checks, "after_form_saved", _old_after_form_saved)
        edit()
        before = _stored()
    assert now == before
    return now


def _edited(form: PerformanceForm, change: Callable[[dict[str, Any]], None]) -> Callable[[], Any]:
    def edit() -> Any:
        current = PerformanceForm.objects.get(pk=form.pk)
        record = {**current.record, "indicators": [dict(i) for i in current.record["indicators"]],
                  "goals": dict(current.record["goals"])}
        change(record)
        return save_form(current.updated_by or form.updated_by, record, form=current, version=current.version)

    return edit


def test_each_edit_stores_what_the_full_relink_and_recheck_stored(web_cast: Any, seed_records: Any, library: Entry,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    unit = web_cast.unit_a
    first = aid_form(web_cast, seed_records, unit, 2019, "≥300", "380")
    second = aid_form(web_cast, seed_records, unit, 2020, "≥300", "360")
    third = aid_form(web_cast, seed_records, unit, 2021, "≥320", "")  # T10: below 2020's actual (360)
    assert FormFinding.objects.filter(form=third, code="T10").exists()

    def achieved(record: dict[str, Any]) -> None:
        record["goals"]["achieved"] = "完成情况改写"

    def lower_actual(record: dict[str, Any]) -> None:
        record["indicators"][0]["actual"] = "310"  # 2021's target of 320 is above it now: no T10 in 2021

    def raise_actual(record: dict[str, Any]) -> None:
        record["indicators"][0]["actual"] = "400"

    def rename(record: dict[str, Any]) -> None:
        record["indicators"][0]["name"] = "法律援助案件办结数量"  # only similar: the link to the entry is not counted

    def drop_row(record: dict[str, Any]) -> None:
        del record["indicators"][1]

    def later_year(record: dict[str, Any]) -> None:
        record["year"] = 2022

    steps = [(second, achieved), (second, lower_actual), (second, raise_actual), (first, rename), (first, achieved),
             (second, drop_row), (third, later_year), (second, achieved)]
    codes = []
    for form, change in steps:
        stored = _both_ways(monkeypatch, _edited(form, change))
        assert stored["findings"] and stored["usage"]
        codes.append({f["code"] for f in stored["findings"] if f["form_id"] == third.pk})
    # The later year's T10 follows 2020's actual: gone when it fell to 310, back when it rose to 400; none in 2022.
    assert ["T10" in c for c in codes[:3]] == [True, False, True] and "T10" not in codes[6]


def test_a_confirmed_link_is_kept_by_a_save_as_by_the_full_relink(web_cast: Any, seed_records: Any,
                                                                  library: Entry, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥300", "360")
    record = {**stored.record, "indicators": [dict(i) for i in stored.record["indicators"]]}
    record["indicators"][0]["name"] = "法律援助案件办结数量"
    stored = save_form(web_cast.admin, record, form=stored, version=stored.version)
    usage = Usage.objects.get(form=stored, index=0)
    assert usage.how == "similar"
    services.confirm_link(web_cast.admin, usage.pk, "T-AJ")

    def achieved(record: dict[str, Any]) -> None:
        record["goals"]["achieved"] = "再次保存"

    found = _both_ways(monkeypatch, _edited(stored, achieved))
    assert next(u["how"] for u in found["usage"] if u["form_id"] == stored.pk) == "confirmed"


def test_a_save_that_changes_no_indicator_row_writes_no_usage_and_checks_no_later_year(
        web_cast: Any, seed_records: Any, library: Entry) -> None:
    """The benchmark's save (an explanation changed): the usage rows are read and left, the later year's form is
    not read; its findings (T10) stay as they were, right."""
    second = aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥300", "360")
    third = aid_form(web_cast, seed_records, web_cast.unit_a, 2021, "≥320", "")
    before = list(FormFinding.objects.filter(form=third).values_list("code", "message"))
    record = {**second.record, "goals": {**second.record["goals"], "achieved": "只改了说明"}}
    with CaptureQueriesContext(connection) as context:
        save_form(web_cast.admin, record, form=second, version=second.version)
    queries = [q["sql"] for q in context.captured_queries]
    assert not [q for q in queries if q.startswith(("DELETE", "INSERT", "UPDATE")) and "library_usage" in q], queries
    assert not [q for q in queries if q.startswith("SELECT") and '"jixiao_performanceform"."year" >' in q], queries
    assert list(FormFinding.objects.filter(form=third).values_list("code", "message")) == before
    assert any(code == "T10" for code, _ in before)


def test_the_api_answers_a_save_with_what_reading_the_form_again_gives(web_cast: Any, seed_records: Any,
                                                                       library: Entry) -> None:
    """The PATCH answers with the form save_form read back and the library's findings counted on it (no second
    read): the same as a GET after it, the library's T10 and its count included."""
    aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥300", "360")
    third = aid_form(web_cast, seed_records, web_cast.unit_a, 2021, "≥320", "")
    client = web_cast.token_client("clerk_a")
    form = client.get(f"/api/forms/{third.pk}").json()
    form["form"]["goals"]["achieved"] = "改过"
    saved = client.patch(f"/api/forms/{third.pk}", {"form": form["form"], "version": form["version"]},
                         content_type="application/json")
    again = client.get(f"/api/forms/{third.pk}").json()
    assert saved.status_code == 200 and saved.json() == again
    assert "T10" in [f["code"] for f in again["findings"]] and again["version"] == form["version"] + 1
    assert again["counts"]["warning"] == sum(f["severity"] == "warning" for f in again["findings"])
