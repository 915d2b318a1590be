"""What keeps the library's requests cheap stays right: a bounded number of queries whatever the number of
entries and forms, kept statistics, pages and findings that follow a new save, and the migration on both
databases."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from library_helpers import AID, aid_form

from jixiao.web.forms.store import save_form
from jixiao.web.library import services
from jixiao.web.library.models import Entry, EntryStats
from jixiao.web.models import FormFinding, Org


def _queries(client: Any, path: str) -> int:
    for _ in range(2):  # the first requests compute and keep what the next ones read
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def _grow(cast: Any, seed: list[dict[str, Any]], n: int) -> None:
    """n more entries (named like the typed text) and n more forms of new units using the entry."""
    for k in range(n):
        services.apply({**AID, "code": f"T-AJ{k}", "name": f"法律援助案件数量{k}号"})
        unit = Org.objects.create(name=f"新单位{k}", kind=Org.Kind.UNIT, parent=cast.department)
        aid_form(cast, seed, unit, 2019 + k % 4, f"≥{300 + k}", f"{310 + k}")


def test_suggestions_statistics_and_entry_page_take_queries_not_growing_with_the_library(
        web_cast: Any, seed_records: Any, library: Entry) -> None:
    finance = web_cast.token_client("finance")
    paths = ["/api/library/suggest?q=法律援助&year=2021", "/api/library/entries/T-AJ/statistics",
             "/library/entries/T-AJ/"]
    before = [_queries(finance, p) for p in paths]
    _grow(web_cast, seed_records, 12)
    after = [_queries(finance, p) for p in paths]
    assert after == before
    assert before[:2] == [2, 2]  # the token, then the entries' stamp / the entry with its statistics
    assert len(finance.get(paths[0]).json()["items"]) == 8
    assert finance.get(paths[1]).json()["rows"] == 1 + 12


def test_the_kept_statistics_and_page_follow_a_new_form(web_cast: Any, seed_records: Any, library: Entry) -> None:
    finance = web_cast.client("finance")
    assert finance.get("/api/library/entries/T-AJ/statistics").json()["rows"] == 1
    assert "≥777" not in finance.get("/library/entries/T-AJ/").content.decode()
    assert EntryStats.objects.get(entry=library).page  # kept for the next view, by any server process
    aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥777", "800")
    assert finance.get("/api/library/entries/T-AJ/statistics").json()["rows"] == 2
    page = finance.get("/library/entries/T-AJ/").content.decode()
    assert "≥777" in page and "使用行数 <strong>2</strong>" in page


def test_the_kept_page_shows_a_new_proposal_in_the_history(web_cast: Any, library: Entry) -> None:
    finance = web_cast.client("finance")
    assert "暂无变更记录" in finance.get("/library/entries/T-AJ/").content.decode()
    services.propose(web_cast.clerk_a, "change", {**AID, "explanation": "新的解释"}, "口径调整")
    page = finance.get("/library/entries/T-AJ/").content.decode()
    assert "口径调整" in page and "暂无变更记录" not in page


def test_a_form_stored_before_last_years_actual_gets_its_t10_when_that_is_saved(
        web_cast: Any, seed_records: Any, library: Entry) -> None:
    later = aid_form(web_cast, seed_records, web_cast.unit_a, 2021, "≥320")
    assert not FormFinding.objects.filter(form=later, code="T10", location__check="library").exists()
    last_year = aid_form(web_cast, seed_records, web_cast.unit_a, 2020, "≥300", "360")
    [t10] = FormFinding.objects.filter(form=later, code="T10", location__check="library")
    assert "2020年" in t10.message and "360" in t10.message
    later.refresh_from_db()
    assert later.warning_count == FormFinding.objects.filter(form=later, severity="warning").count()
    record = dict(last_year.record, indicators=[dict(i) for i in last_year.record["indicators"]])
    record["indicators"][0]["actual"] = "310"  # now below this year's target: the finding goes
    save_form(web_cast.admin, record, form=last_year, version=last_year.version)
    assert not FormFinding.objects.filter(form=later, code="T10", location__check="library").exists()
    later.refresh_from_db()
    assert later.warning_count == FormFinding.objects.filter(form=later, severity="warning").count()
    other = aid_form(web_cast, seed_records, web_cast.unit_b, 2021, "≥320")  # another unit: not its history
    assert not FormFinding.objects.filter(form=other, code="T10", location__check="library").exists()


def test_the_migration_keeps_the_chart_apart_and_indexes_search_on_postgresql(db: Any) -> None:
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "library_entrystats")}
        assert {"data", "chart", "page", "page_stamp"} <= columns
        if connection.vendor != "postgresql":
            return
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'library_entry_search_trgm'")
        [(definition,)] = cursor.fetchall()
    assert "gin_trgm_ops" in definition
    Entry.objects.create(code="T-Q", name="培训人次", norm="培训人次", search="培训人次")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM library_entry WHERE search LIKE '%训人%'")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "library_entry_search_trgm" in plan
