"""Keep the library's usage in step with the stored forms: every save (editor, API, import, demo) relinks."""

from __future__ import annotations

from typing import Any

from jixiao.web.signals import form_saved


def _saved(sender: Any, form: Any, findings: int | None = None, **kwargs: Any) -> None:
    from jixiao.web.library.checks import after_form_saved

    after_form_saved(form, findings)


def connect() -> None:
    form_saved.connect(_saved, dispatch_uid="library-link-form")
