from __future__ import annotations

from typing import Any

import pytest
from library_helpers import AID

from jixiao.web.library import services
from jixiao.web.library.models import Entry


@pytest.fixture
def library(web_cast: Any) -> Entry:
    """The entry of the seed's 法律援助案件数量, added to the library (which links the stored forms' rows)."""
    entry, _ = services.apply(AID)
    return entry
