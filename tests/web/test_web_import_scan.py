"""Issue 14 point 2: in the import preview a scan's low-confidence cell (O01) is highlighted with the cell's
scanned image beside what was read, so the user compares them before importing.

The scan itself is not read here (tests/formats/test_scan.py reads real scans and checks that their uncertain
cells carry images): the form is the seed's first, as a scan reader hands it on, with one uncertain cell and
that cell's image, so that this test is about the preview alone.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import replace

from web_helpers import SEED

from jixiao import services as core_services
from jixiao.core.model import Uncertain
from jixiao.web.forms import imports

# A 2×2 grayscale PNG: the image of the cell as the scan reader keeps it (formats/scan_images.py).
PNG = "data:image/png;base64," + base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000200000002080000000057dd52f80000000e49444154789c636c6060"
    "6260000002920084f77ca3580000000049454e44ae426082")).decode("ascii")


def _scanned_batch() -> core_services.Batch:
    form = core_services.read_paths([SEED]).forms[0]
    score = form.indicators[0]
    uncertain = Uncertain("indicators", score.row or 0, "score", score.score, "0.62")
    scanned = replace(form, uncertain=(uncertain,), scan_images=(("indicators", score.row or 0, "score", PNG),))
    return core_services.Batch(forms=(scanned,), problems=(), files_read=1)


def test_a_low_confidence_cell_is_shown_with_its_scanned_image(demo_passwords, client, django_user_model,
                                                               monkeypatch) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = _scanned_batch()
    monkeypatch.setattr(imports.core_services, "read_paths", lambda paths, **kwargs: batch)
    client.force_login(django_user_model.objects.get(username="admin"))
    response = client.post("/import/", {"files": [SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scanned")]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).content.decode()
    o01 = re.search(r'<li class="sev-info ocr-doubt"><strong>O01</strong>(.*?)</li>', page, re.S)
    assert o01, "the O01 finding is highlighted"
    assert "OCR 识别存疑" in o01[1]
    image = re.search(r'<img src="([^"]+)" alt="扫描件原图：第(\d+)行 得分">', o01[1])
    assert image and html.unescape(image[1]) == PNG  # the cell's own image, beside its finding
    assert "识别存疑 1" in page  # and the form's row says there is one to look at


def test_a_form_that_is_no_scan_shows_no_image(demo_passwords, client, django_user_model) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(django_user_model.objects.get(username="admin"))
    response = client.post("/import/", {"files": [SimpleUploadedFile("seed.txt", SEED.read_bytes())]})
    page = client.get(response.headers["Location"]).content.decode()
    assert "A03" in page and "<img src=\"data:image/png" not in page and "ocr-doubt" not in page
