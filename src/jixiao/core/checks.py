"""The checker (复核): every code of docs/domain.md §5, run on a form and its scorecard.

Each check is `(form, profile, scorecard) -> Iterable[Finding]` (arithmetic_checks, rule_checks,
pattern_checks); `check_form` runs them all and sorts the findings in the report's order, and
`check_batch` adds the one check that needs the whole batch (P05).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from jixiao.core import arithmetic_checks as a
from jixiao.core import pattern_checks as p
from jixiao.core import rule_checks as r
from jixiao.core.findings import Finding, Location, Severity
from jixiao.core.form_findings import severity_of
from jixiao.core.model import Form, to_record
from jixiao.core.profiles import Profile
from jixiao.core.scoring import Scorecard

Check = Callable[[Form, Profile, Scorecard], Iterable[Finding]]

_RANK = {severity: severity.rank for severity in Severity}
_BLOCK_ORDER = {"header": 0, "funds": 1, "goals": 2, "indicators": 3, "total": 4}


CHECKS: tuple[Check, ...] = (
    a.check_a01, a.check_a02, a.check_a03, a.check_a04, a.check_a05, a.check_a06, a.check_a07, a.check_a08,
    r.check_r01, r.check_r02, r.check_r03, r.check_r04, r.check_r05, r.check_r06, r.check_r07, r.check_r08,
    p.check_p01, p.check_p02, p.check_p03, p.check_p04, p.check_p06, p.check_p07, p.check_p08, p.check_p09,
    p.check_p10, p.check_u01, a.check_v01, a.check_v02,
)
CHECK_CODES = {check: check.__name__.removeprefix("check_").upper() for check in CHECKS}


def report_key(finding: Finding) -> tuple[int, str, int, int, int]:
    """Errors first, then by code, then by place on the form (block, row position): the report's order."""
    loc = finding.location
    return (-_RANK[finding.severity], finding.code, _BLOCK_ORDER.get(loc.block, len(_BLOCK_ORDER)),
            -1 if loc.index is None else loc.index, loc.row or 0)


def run_checks(form: Form, profile: Profile, scorecard: Scorecard, form_index: int = 1) -> list[Finding]:
    """All per-form findings in the order the checks make them (check_form sorts them)."""
    template = profile.template
    checks = CHECKS if not template.checks else [c for c in CHECKS if template.runs(CHECK_CODES[c])]
    findings = [f for check in checks for f in check(form, profile, scorecard)]
    for f in findings:
        # The checks made these findings just now and nobody else holds them: set the index in place.
        object.__setattr__(f, "form_index", form_index)
    return findings


def check_form(form: Form, profile: Profile, scorecard: Scorecard, form_index: int = 1) -> list[Finding]:
    """All per-form findings in the report's order (report_key)."""
    findings = run_checks(form, profile, scorecard, form_index)
    findings.sort(key=report_key)
    return findings


def check_batch(forms: Sequence[Form]) -> list[Finding]:
    """Findings that need the whole batch (P05); form_index is the 1-based position in forms."""
    groups: dict[str, list[int]] = {}
    for n, form in enumerate(forms, 1):
        if form.project.strip():
            groups.setdefault(re.sub(r"\s", "", form.project), []).append(n)
    # Only a name that comes twice needs the forms' digests.
    shared = sorted(n for indexes in groups.values() if len(indexes) > 1 for n in indexes)
    return check_duplicates((n, forms[n - 1].project, content_digest(forms[n - 1])) for n in shared)


NAMED_DUPLICATES = 5  # P05's message names at most this many of the other forms, then says how many more


def content_digest(form: Form) -> str:
    """A short fingerprint of what a form holds (its record): two forms with one digest are one form."""
    import hashlib

    return hashlib.blake2b(repr(to_record(form)).encode("utf-8"), digest_size=16).hexdigest()


def check_duplicates(entries: Iterable[tuple[int, str, str]]) -> list[Finding]:
    """P05 from each form's (1-based index, project name, content digest): all a batch must keep of a form.

    Work and message grow linearly with a group of one name: each finding names at most
    NAMED_DUPLICATES of the others and counts the rest.
    """
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for index, project, digest in entries:
        if project.strip():
            groups.setdefault(re.sub(r"\s", "", project), []).append((index, project, digest))
    return [f for members in groups.values() for f in duplicates_in_group(members)]


def duplicates_in_group(members: Sequence[tuple[int, str, str]]) -> Iterator[Finding]:
    """P05 of the forms of one name (index, project, digest, in batch order), a finding at a time: the
    group may be read from disk (a generic name may be on most forms of a province)."""
    if len(members) < 2:
        return
    first = members[0][2]
    if all(digest == first for _, _, digest in members):
        return  # the same form twice: a copy, not a clash
    head = [m[0] for m in members[: NAMED_DUPLICATES + 1]]
    for index, project, _ in members:
        named = [m for m in head if m != index][:NAMED_DUPLICATES]
        yield _duplicate_name(project, index, named, len(members) - 1 - len(named))


def _duplicate_name(project: str, index: int, others: list[int], more: int) -> Finding:
    """P05: the same project name twice in one batch with different content."""
    where = "、".join(f"第 {m} 张" for m in others) + (f"等共 {len(others) + more} 张" if more else "")
    message = f"项目名称“{project}”与本批次{where}表相同，但内容不同，请核实是否填错项目名称"
    return Finding("P05", severity_of("P05"), index, project,
                   Location(block="header", column="项目名称", field="project"), project, "", message)
