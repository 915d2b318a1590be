"""Functions the command line, the web app and the tests call for department-wide forms and reports.

They join the layers: project forms read and evaluated (jixiao.services) give the figures a
department-wide form is filled in from (jixiao.core.dept), files are written by jixiao.reports.dept
and read by jixiao.formats.dept.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from jixiao.core.dept import DeptForm, ProjectFigures, fill_from_projects, from_record, project_figures
from jixiao.core.scoring import execution_basis
from jixiao.dept_files import demo_dept_record
from jixiao.services import Evaluation, evaluate_batch, read_paths


def figures_of(evaluations: Sequence[Evaluation]) -> ProjectFigures:
    """What a department's evaluated project forms say: count, average computed total, money."""
    amounts = []
    for e in evaluations:
        basis = execution_basis(e.form)
        amounts.append((basis.annual, basis.executed) if basis else (None, None))
    return project_figures([e.scorecard.total for e in evaluations], amounts)


def seed_evaluations() -> list[Evaluation]:
    """The seed's eleven 2019 project forms of 鄂尔多斯市司法局, evaluated (the demo department's projects)."""
    seed = Path(str(resources.files("jixiao") / "data" / "seed.txt"))
    return evaluate_batch(read_paths([seed]).forms)


def demo_dept_form(figures: ProjectFigures | None = None) -> DeptForm:
    """The demo department's 2019 department-wide form, filled in from its project forms (the seed's by default)."""
    return fill_from_projects(from_record(demo_dept_record()), figures or figures_of(seed_evaluations()))
