"""The functions the command line, the web app and the tests all call: read, evaluate, report.

file → grids → forms (formats) → scorecard and findings (core) → JSON / pages / files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from jixiao.core.checks import check_batch, report_key, run_checks
from jixiao.core.findings import Finding, Severity
from jixiao.core.frozen import fast_init
from jixiao.core.layout_checks import layout_findings
from jixiao.core.model import Form, FundRow
from jixiao.core.ocr import annotate, confirm_readings, confirm_targets, mark_doubts, ocr_findings
from jixiao.core.profile_set import ProfileSet
from jixiao.core.profiles import Profile
from jixiao.core.scoring import Scorecard, score_form
from jixiao.formats import ReadError
from jixiao.profile_files import builtin_set, detect_profile, load_profile


@dataclass(frozen=True)
class ReadProblem:
    file: str
    message: str  # Chinese: what, where, what to do


@dataclass(frozen=True)
class Batch:
    forms: tuple[Form, ...]  # form.source says file, sheet and position
    problems: tuple[ReadProblem, ...]
    files_read: int
    skipped: tuple[ReadProblem, ...] = ()  # files of a folder or archive left out, each with why


@fast_init
@dataclass(frozen=True)
class Evaluation:
    index: int  # 1-based position in the batch
    form: Form
    profile: Profile
    scorecard: Scorecard
    findings: tuple[Finding, ...]
    reason: str = ""  # why this profile: the form's evidence, or "指定" when forced (issue 9)


def _forms_of(name: str, data: bytes) -> tuple[list[Form], ReadProblem | None]:
    """The forms of one file; a file that can't be read or holds no form gives a problem."""
    from jixiao.formats.layout import RowRole, recognise
    from jixiao.formats.registry import read_grids

    try:
        grids = read_grids(data, name)
    except ReadError as err:
        # A damaged file may still hold forms read before the damage: keep them, and name the file.
        found = recognise(list(err.grids)) if err.grids else []
        return [replace(f, source=replace(f.source, file=name)) for f in found], ReadProblem(name, err.message)
    from jixiao.year_services import not_a_self_evaluation, year_kind

    if (kind := year_kind(grids)) is not None:  # a 申报表 or 监控表: read by formats.year, not as a 自评表
        return [], ReadProblem(name, not_a_self_evaluation(kind))
    scanned = any(hasattr(g, "confidence") for g in grids)
    trace: list[RowRole] | None = [] if scanned else None
    forms = recognise(grids, trace) if trace is not None else recognise(grids)
    if trace:
        from jixiao.formats.scan import with_uncertain

        forms = [mark_doubts(confirm_readings(f)) for f in with_uncertain(grids, forms, trace)]
    if not forms:
        return [], ReadProblem(name, NO_FORM)
    return [replace(f, source=replace(f.source, file=name)) for f in forms], None


NO_FORM = "文件中没有找到绩效自评表（没有含“项目名称”、表名或资金与指标栏目的表格）；请确认这是预算绩效自评表，或用 jixiao inspect 查看识别结果。"


def _collect(
    items: Iterable[tuple[str, bytes] | ReadError],
    jobs: int,
    progress: Callable[[int, int], None] | None,
    each: Callable[[Sequence[Form], ReadProblem | None], None] | None = None,
) -> Batch:
    from jixiao.formats import Skipped

    inputs: list[tuple[str, bytes]] = []
    problems: list[ReadProblem] = []
    skipped: list[ReadProblem] = []
    for item in items:
        if isinstance(item, Skipped):
            skipped.append(ReadProblem(item.file, item.message))
        elif isinstance(item, ReadError):
            problems.append(ReadProblem(item.file, item.message))
        else:
            inputs.append(item)
    forms: list[Form] = []
    results: Iterable[tuple[list[Form], ReadProblem | None]]
    if jobs > 1 and len(inputs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_forms_of, *zip(*inputs, strict=True), chunksize=4)
    else:
        pool = None
        results = (_forms_of(name, data) for name, data in inputs)
    try:
        for done, (found, problem) in enumerate(results, 1):
            forms.extend(found)
            if problem:
                problems.append(problem)
            if each:
                each(found, problem)
            if progress:
                progress(done, len(inputs))
    finally:
        if pool is not None:
            pool.shutdown()
    return Batch(forms=tuple(forms), problems=tuple(problems), files_read=len(inputs), skipped=tuple(skipped))


def read_paths(
    paths: Iterable[str | Path], *, jobs: int = 1, progress: Callable[[int, int], None] | None = None,
    each: Callable[[Sequence[Form], ReadProblem | None], None] | None = None,
) -> Batch:
    """Every form in files, folders (recursively) and zip archives; bad files become problems.

    progress(files done, files in all) and each(a file's forms, its problem) are called as each file is read."""
    from jixiao.formats.registry import iter_inputs

    return _collect(iter_inputs(paths), jobs, progress, each)


def read_upload(data: bytes, name: str) -> Batch:
    """Every form in one uploaded file (any readable format, or a zip)."""
    from jixiao.formats.registry import iter_data

    return _collect(iter_data(data, name), 1, None)


def resolve_profile(form: Form, profile: str | Profile | ProfileSet = "auto") -> Profile:
    """The profile to score a form with: detected ("auto", or among a ProfileSet's), built-in by name,
    or from a TOML file (the command line's; the web app passes only Profiles and ProfileSets)."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, ProfileSet):
        return profile.detect(form)
    if profile in ("", "auto"):
        return detect_profile(form)
    return load_profile(profile)


def evaluate(form: Form, profile: str | Profile | ProfileSet = "auto", index: int = 1) -> Evaluation:
    """Score and check one form; profile is "auto", a built-in name, a TOML path or a Profile."""
    if isinstance(profile, ProfileSet) or profile in ("", "auto"):  # detected: say on what evidence
        choice = (profile if isinstance(profile, ProfileSet) else builtin_set()).choose(form)
        chosen, reason = choice.profile, choice.reason
    else:
        chosen, reason = resolve_profile(form, profile), "按指定的评分规则"
    scorecard = score_form(form, chosen)
    if form.uncertain:  # a scan: a misread ≥ that the row's own score confirms is put right (O02)
        form, scorecard = confirm_targets(form, chosen, scorecard)
    # Errors first, then by code, then by place (S01's blocks in form order; S02 in reading order).
    findings = sorted(
        [*layout_findings(form, index, chosen), *run_checks(form, chosen, scorecard, index), *ocr_findings(form, index)],
        key=report_key,
    )
    if form.uncertain:
        findings = annotate(findings, form)
    return Evaluation(index, form, chosen, scorecard, tuple(findings), reason)


def evaluate_batch(forms: Sequence[Form], profile: str | Profile | ProfileSet = "auto") -> list[Evaluation]:
    """Score and check every form, with the batch checks (P05) added to the forms they concern."""
    if not isinstance(profile, Profile | ProfileSet) and profile not in ("", "auto") and forms:
        profile = load_profile(profile)  # a named or file profile is read once, not once per form
    evaluations = [evaluate(form, profile, n) for n, form in enumerate(forms, 1)]
    extra: dict[int, list[Finding]] = {}
    for finding in check_batch(forms):
        extra.setdefault(finding.form_index, []).append(finding)
    return [
        replace(e, findings=tuple(sorted([*e.findings, *extra[e.index]], key=report_key))) if e.index in extra else e
        for e in evaluations
    ]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready data: Decimal as its printed string, enums as their value."""
    if value is None or (isinstance(value, (str, int, float)) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            return value
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))  # asked once per class, not per object
    return {name: plain(getattr(value, name)) for name in names}


def evaluation_dict(evaluation: Evaluation, min_severity: str = "info") -> dict[str, Any]:
    """One form of the check report."""
    rank = Severity(min_severity).rank
    form = evaluation.form
    return {
        "index": evaluation.index,
        "project": form.project,
        "unit": form.unit,
        "year": form.year,
        "file": form.source.file,
        "sheet": form.source.sheet,
        "position": form.source.index,
        "profile": evaluation.profile.name,
        "profile_reason": evaluation.reason,
        "printed": {
            "fund_score": (form.fund("total") or FundRow("total")).score,
            "total": form.total.score,
        },
        "scorecard": plain(evaluation.scorecard),
        "findings": [f.as_dict() for f in evaluation.findings if f.severity.rank >= rank],
    }


def severity_counts(evaluations: Sequence[Evaluation]) -> dict[Severity, int]:
    """How many findings of each severity a batch has."""
    counts = dict.fromkeys(Severity, 0)
    for e in evaluations:
        for f in e.findings:
            counts[f.severity] += 1
    return counts


def check_report(
    evaluations: Sequence[Evaluation], problems: Sequence[ReadProblem] = (), min_severity: str = "info"
) -> dict[str, Any]:
    """What `jixiao check --format json` prints: {"forms": [...], "summary": {...}, "problems": [...]}."""
    forms = [evaluation_dict(e, min_severity) for e in evaluations]
    counts = {s.value: n for s, n in severity_counts(evaluations).items()}
    return {
        "forms": forms,
        "summary": {"forms": len(forms), **counts, "problems": len(problems)},
        "problems": [{"file": p.file, "message": p.message} for p in problems],
    }
