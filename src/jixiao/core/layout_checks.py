"""Checks of a form's shape rather than its numbers: blocks missing, text the recogniser couldn't place.

S01 (error): a block the form must have is missing, so the form was cut off or is not a form.
S02 (warning): text inside the form that could not be placed in any block (reported, never dropped).
"""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.model import Form
from jixiao.core.profiles import Profile


def missing_blocks(form: Form, index: int, profile: Profile | None = None) -> Iterator[Finding]:
    """S01: no project name, no fund rows (where the template has a fund block), no indicators, or
    (for a read file, unless its indicators print no score) no 总分 row."""
    fund_block = profile is None or profile.template.fund_block
    # Forms with no score print no 总分: so the template says (noscore), or the form shows it (no indicator
    # prints a score, as in a template no profile describes)
    scores = not form.indicators or any(i.score.strip() for i in form.indicators)
    total_row = (profile is None or profile.template.total != "none") and scores
    missing = [
        (not form.project, "header", "项目名称"),
        (fund_block and not form.funds, "funds", "资金情况"),
        (not form.indicators, "indicators", "绩效指标"),
        (total_row and bool(form.source.file) and form.total.row is None and not form.total.score, "total", "总分行"),
    ]
    for absent, block, caption in missing:
        if absent:
            yield Finding(
                code="S01",
                severity=Severity.ERROR,
                form_index=index,
                project=form.project,
                location=Location(block=block, column=caption),
                message=f"表格缺少“{caption}”部分，可能被截断或不是完整的自评表；请核对原件后补全。",
            )


def unplaced_text(form: Form, index: int) -> Iterator[Finding]:
    """S02: each line of text the recogniser kept aside."""
    for text in form.unplaced:
        yield Finding(
            code="S02",
            severity=Severity.WARNING,
            form_index=index,
            project=form.project,
            location=Location(block="unplaced"),
            found=text,
            message=f"这段内容无法归入表格的任何部分，请核对：{text}",
        )


def layout_findings(form: Form, index: int = 1, profile: Profile | None = None) -> list[Finding]:
    return [*missing_blocks(form, index, profile), *unplaced_text(form, index)]
