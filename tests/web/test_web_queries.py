"""No page issues a number of queries that grows with the number of forms or of indicators."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from web_helpers import record_for

from jixiao.web.forms.store import save_form
from jixiao.web.models import Phase

MAX_QUERIES = 12


def _add_forms(cast: Any, seed_records: list[dict[str, Any]], count: int) -> None:
    for n in range(count):
        record = record_for(seed_records, 1 + n % 11, cast.unit_a, project=f"项目{n}")
        save_form(cast.clerk_a, record, unit=cast.unit_a, phase=Phase.SELF)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/", "/api/forms", "/forms/summary.xlsx", "/?errors=yes&q=专项"])
def test_list_queries_do_not_grow_with_the_number_of_forms(web_cast, seed_records, url):
    client = web_cast.client("reviewer")
    few = _queries(client, url)
    _add_forms(web_cast, seed_records, 30)
    many = _queries(web_cast.client("reviewer"), url)
    assert many == few
    assert many <= MAX_QUERIES


@pytest.mark.parametrize("url", ["/forms/{pk}/", "/api/forms/{pk}", "/forms/{pk}/edit/"])
def test_detail_queries_do_not_grow_with_the_number_of_indicators(web_cast, url):
    form = web_cast.form_a
    client = web_cast.client("clerk_a")
    few = _queries(client, url.format(pk=form.pk))
    record = dict(form.record)
    record["indicators"] = record["indicators"] * 10
    save_form(web_cast.clerk_a, record, form=form)
    many = _queries(web_cast.client("clerk_a"), url.format(pk=form.pk))
    assert form.findings.count() > 4  # more indicators, more findings to place on the page
    assert many == few
    assert many <= MAX_QUERIES


def test_the_list_page_with_many_forms_fits_a_fixed_budget(web_cast, seed_records, django_assert_max_num_queries):
    _add_forms(web_cast, seed_records, 60)  # more than one page
    client = web_cast.client("finance")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/?page=2")
    assert "第 2/2 页" in response.content.decode()


def test_the_import_preview_queries_do_not_grow_with_the_number_of_forms(web_cast, client):
    from web_helpers import SEED

    from jixiao.web.forms.imports import start_import

    client.force_login(web_cast.admin)
    small = start_import(web_cast.admin, [("seed.txt", SEED.read_bytes())])
    large = start_import(web_cast.admin, [("a.txt", SEED.read_bytes()), ("b.txt", SEED.read_bytes())])
    assert (len(small.preview), len(large.preview)) == (11, 22)
    assert _queries(client, f"/import/{small.pk}/") == _queries(client, f"/import/{large.pk}/") <= MAX_QUERIES


def test_pages_read_by_id_first_hold_the_ordered_filtered_forms(web_cast, seed_records, settings):
    """Each page of the list and the API is the slice of the whole filtered, ordered list: no row lost,
    repeated or let through the filters and permissions by picking a page's ids first."""
    from jixiao.web.models import PerformanceForm

    _add_forms(web_cast, seed_records, 23)
    settings.JIXIAO_PAGE_SIZE = 5
    expected = list(PerformanceForm.objects.filter(unit=web_cast.unit_a, error_count=0).values_list("pk", flat=True))
    assert len(expected) > 10
    client = web_cast.token_client("clerk_a")
    seen = []
    for number in range(1, 10):
        data = client.get(f"/api/forms?errors=no&page_size=5&page={number}").json()
        if number > data["pages"]:
            break
        seen += [r["id"] for r in data["results"]]
    assert seen == expected
    page = web_cast.client("clerk_a").get("/?errors=no&page=2").content.decode()
    assert [f'value="{pk}"' in page for pk in expected[5:10]] == [True] * 5
    assert f'value="{expected[4]}"' not in page and f'value="{expected[10]}"' not in page
    assert f'value="{web_cast.form_b.pk}"' not in page


@pytest.mark.django_db(transaction=True)
def test_kept_counts_and_options_follow_every_committed_change(web_cast, seed_records):
    """Counts and filter options are kept between requests only under the data version that database
    triggers change with every committed change of forms or orgs, whoever writes them and however."""
    from jixiao.web.forms.kept import data_version
    from jixiao.web.models import Org, PerformanceForm

    client = web_cast.client("finance")
    api = web_cast.token_client("finance")

    def shown() -> tuple[str, int]:
        return client.get("/").content.decode(), api.get("/api/forms").json()["count"]

    version = data_version()
    assert version is not None  # outside a transaction: the pages keep what they count
    page, count = shown()
    total = PerformanceForm.objects.count()
    assert f"共 {total} 张表" in page and count == total
    assert shown()[1] == total and data_version() == version  # reading changes nothing

    _add_forms(web_cast, seed_records, 2)
    assert data_version() != version
    page, count = shown()
    assert f"共 {total + 2} 张表" in page and count == total + 2

    PerformanceForm.objects.filter(unit=web_cast.unit_a).update(error_count=0)  # a bulk update, no save()
    assert "共 0 张表" not in client.get("/?errors=no").content.decode()
    assert f"共 {PerformanceForm.objects.filter(error_count=0).count()} 张表" in client.get("/?errors=no").content.decode()

    Org.objects.filter(pk=web_cast.unit_b.pk).update(name="改名后的单位")
    assert "改名后的单位" in client.get("/").content.decode()

    PerformanceForm.objects.filter(unit=web_cast.unit_b).delete()
    page, count = shown()
    assert f"共 {total + 1} 张表" in page and count == total + 1

    # Kept per scope: each user still counts only what they may see, with the same filters.
    for name, unit in (("clerk_a", web_cast.unit_a), ("clerk_b", web_cast.unit_b), ("finance", None)):
        for query in ("", "?errors=no"):
            expected = PerformanceForm.objects.filter(**({"unit": unit} if unit else {}),
                                                      **({"error_count": 0} if query else {})).count()
            assert web_cast.token_client(name).get(f"/api/forms{query}").json()["count"] == expected
            assert f"共 {expected} 张表" in web_cast.client(name).get(f"/{query}").content.decode()
