"""Forms written back out in the standard layout of their template: .xlsx, .docx, .pdf, .html.

Every writer renders the one layout description of jixiao.reports.layout; each writer module has
`write(forms, path, *, scorecards=None, summaries=None, rescore=False)` for project forms and
`write_layouts(layouts, path, *, title)` for any layout (the year's forms, the department's), and loads
its library only when it is used. `write_forms` and `write_layouts` pick the writer by the extension
of the output path.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from jixiao.core.findings import Finding
    from jixiao.core.model import Form
    from jixiao.core.profiles import Template as Wording
    from jixiao.core.scoring import Scorecard
    from jixiao.reports.layout import FormLayout


class Evaluation(Protocol):
    """What the writers need of a form's evaluation (jixiao.services.Evaluation has it)."""

    @property
    def scorecard(self) -> Scorecard: ...

    @property
    def findings(self) -> Sequence[Finding]: ...

WRITERS: dict[str, str] = {
    ".xlsx": "jixiao.reports.xlsx",
    ".docx": "jixiao.reports.docx",
    ".pdf": "jixiao.reports.pdf",
    ".html": "jixiao.reports.html",
    ".htm": "jixiao.reports.html",
}


def write_forms(
    forms: Sequence[Form],
    path: str | Path,
    *,
    evaluations: Sequence[Evaluation] | None = None,
    rescore: bool = False,
    wordings: Sequence[Wording | None] | None = None,
) -> None:
    """Write forms in the standard layout to path (.xlsx/.docx/.pdf/.html), atomically.

    evaluations, one per form in the same order, give the computed columns of the summary sheet, the
    values of blank computed cells and the scores that rescore writes in place of the printed ones.
    wordings (each form's profile's template; from the evaluations when not given) give the captions
    as the form's own template prints them.
    """
    from jixiao.reports.summary import summarise

    path = Path(path)
    ext = _checked_extension(path)
    if not forms:
        raise ValueError(f"没有可写出的表单：{path.name} 未生成。请先读取至少一张自评表。")
    if evaluations is not None and len(evaluations) != len(forms):
        raise ValueError(f"评价结果有 {len(evaluations)} 份，表单有 {len(forms)} 张，两者应一一对应。")
    if rescore and evaluations is None:
        raise ValueError("按规则重算分值（rescore）需要先对表单计分：请同时提供 evaluations。")
    scorecards = [e.scorecard for e in evaluations] if evaluations is not None else None
    summaries = (
        [summarise(f, e.scorecard, e.findings) for f, e in zip(forms, evaluations, strict=True)]
        if evaluations is not None
        else [summarise(f) for f in forms]
    )
    writer = importlib.import_module(WRITERS[ext])
    if wordings is None and evaluations is not None:
        wordings = [e.profile.template for e in evaluations]
    if ext == ".xlsx":  # a workbook also gets the batch's 汇总 sheet
        writer.write(forms, path, scorecards=scorecards, summaries=summaries, rescore=rescore, wordings=wordings)
        return
    from jixiao.reports.layout import build_layouts

    writer.write_layouts(build_layouts(forms, scorecards, rescore=rescore, wordings=wordings), path,
                         title="预算绩效自评表")


def write_layouts(layouts: Sequence[FormLayout], path: str | Path, *, title: str) -> None:
    """Write any layouts to path (.xlsx a sheet each, .docx/.pdf a page each, .html), atomically;
    `title` is the document's (its metadata, and the page title of several)."""
    path = Path(path)
    ext = _checked_extension(path)
    if not layouts:
        raise ValueError(f"没有可写出的表单：{path.name} 未生成。")
    importlib.import_module(WRITERS[ext]).write_layouts(layouts, path, title=title)


def check_output(path: str | Path) -> None:
    """A ValueError saying what to do when no writer can write path (its type, or its folder missing)."""
    _checked_extension(Path(path))


def _checked_extension(path: Path) -> str:
    """The output's extension, known to a writer, with its folder there; else a ValueError saying what to do."""
    ext = path.suffix.lower()
    if ext not in WRITERS:
        raise ValueError(
            f"不支持的输出格式“{path.suffix or '（无扩展名）'}”：{path.name}。"
            "请使用 .xlsx、.docx、.pdf 或 .html 作为输出文件的扩展名。"
        )
    if not path.parent.is_dir():
        raise ValueError(f"输出目录不存在：{path.parent}。请先创建该目录，或换一个输出路径。")
    return ext


def forms_bytes(forms: Sequence[Form], fmt: str, *, evaluations: Sequence[Evaluation] | None = None) -> bytes:
    """The forms in the standard layout as the bytes of one .xlsx, .docx, .pdf or .html file."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="jixiao-write-") as folder:
        path = Path(folder) / f"forms.{fmt}"
        write_forms(forms, path, evaluations=evaluations)
        return path.read_bytes()
