"""The import page's progress while a large upload is read in the background: files done of all, forms
found, errors among them and unreadable files so far, from a JSON endpoint that import.js polls (a static
script: no inline script under the CSP); only the job's user reads it."""

from __future__ import annotations

import re

from web_helpers import SEED

from jixiao import services
from jixiao.web.forms import imports
from jixiao.web.models import ImportJob


def test_the_status_tells_files_forms_and_errors_so_far_while_reading(demo_passwords, client, django_user_model,
                                                                       settings, monkeypatch):
    settings.JIXIAO_BACKGROUND_IMPORT_BYTES = 10**9  # read at once, so that the test can look in mid-way
    admin = django_user_model.objects.get(username="admin")
    client.force_login(admin)
    seen = []
    real = services._forms_of

    def reading(name, data):
        job = ImportJob.objects.latest("pk")
        if job.status == ImportJob.Status.READING:  # what the page polls, before each file is read
            seen.append(client.get(f"/import/{job.pk}/status/").json())
            page = client.get(f"/import/{job.pk}/")
            seen[-1]["page"] = page.content.decode()
        return real(name, data)

    monkeypatch.setattr(services, "_forms_of", reading)
    uploads = [("a.txt", SEED.read_bytes()), ("broken.docx", b"not a docx"), ("b.txt", SEED.read_bytes())]
    job = imports.start_import(admin, uploads)
    assert job.status == ImportJob.Status.READY
    first, second, third = seen
    assert (first["done"], first["forms"], first["errors"], first["problems"]) == (0, 0, 0, 0)
    assert (second["done"], second["total"], second["forms"], second["problems"]) == (1, 3, 11, 0)
    assert second["errors"] > 0  # the seed's forms carry errors (R01…)
    assert (third["done"], third["forms"], third["errors"], third["problems"]) == (2, 11, second["errors"], 1)
    page = third["page"]
    for name in ("progress-files", "progress-forms", "progress-errors", "progress-problems"):
        assert f'id="{name}"' in page
    assert re.search(r'id="progress-forms">11<', page) and re.search(r'id="progress-problems">1<', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script (CSP)
    assert 'src="/static/jixiao/import.js"' in page


def test_another_user_gets_no_progress(demo_passwords, client, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("a.txt", SEED.read_bytes())])
    client.force_login(django_user_model.objects.get(username="clerk"))
    assert client.get(f"/import/{job.pk}/status/").status_code == 404
    assert client.get(f"/import/{job.pk}/").status_code == 404
