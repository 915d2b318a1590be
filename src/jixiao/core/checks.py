"""The checker (复核): every code of domain.md §5 as a small function of a form and its scorecard.

CONTRACT (implemented by the checks work).
"""

from __future__ import annotations

from collections.abc import Sequence

from jixiao.core.findings import Finding
from jixiao.core.model import Form
from jixiao.core.profiles import Profile
from jixiao.core.scoring import Scorecard

# code → (severity, short Chinese title); the table of domain.md §5 plus input codes V01, V02.
CODES: dict[str, tuple[str, str]] = {}


def check_form(form: Form, profile: Profile, scorecard: Scorecard, form_index: int = 1) -> list[Finding]:
    """All per-form findings, ordered by severity then position on the form."""
    raise NotImplementedError


def check_batch(forms: Sequence[Form]) -> list[Finding]:
    """Findings that need the whole batch (P05); form_index is the 1-based position in forms."""
    raise NotImplementedError
