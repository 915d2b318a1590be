"""The demo organisation, accounts and forms of `jixiao serve --demo` (the seed's eleven 2019 forms), and the
year in motion: the forms taken through the review, the re-check and publication by the services the pages
call (so their history, messages and rectification items are the workflow's own), in a fixed order.

What becomes of each seed form (by its place in the seed), and what is written on the way, is the [self] table of
jixiao/data/demo.toml; the three forms with an error stay drafts.
"""

from __future__ import annotations

import datetime
import secrets
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jixiao import services as core_services
from jixiao.core.model import to_record
from jixiao.web.after import dept, rectify
from jixiao.web.after.dept import load_demo as load_after_demo
from jixiao.web.forms.store import save_form
from jixiao.web.library.demo import load_library_demo
from jixiao.web.models import Membership, Org, PerformanceForm, Phase, Role, Stage
from jixiao.web.notify.services import remind
from jixiao.web.review import recheck, rounds, workflow

FINANCE = "鄂尔多斯市财政局"
DEPARTMENT = "鄂尔多斯市司法局"
LEGAL_AID = "鄂尔多斯市法律援助中心"
OTHER_UNITS = ("鄂尔多斯市公证处", "鄂尔多斯市司法鉴定中心")
DEMO_YEAR = 2019

# username → (role, org name, is_superuser)
ACCOUNTS = {
    "admin": (Role.ADMIN, FINANCE, True),
    "finance": (Role.FINANCE, FINANCE, False),
    "reviewer": (Role.REVIEWER, DEPARTMENT, False),
    "clerk": (Role.FILLER, DEPARTMENT, False),
    "clerk2": (Role.FILLER, LEGAL_AID, False),
}


def seed_path() -> Path:
    return Path(str(resources.files("jixiao") / "data" / "seed.txt"))


def load_orgs() -> dict[str, Org]:
    finance, _ = Org.objects.get_or_create(name=FINANCE, parent=None, defaults={"kind": Org.Kind.FINANCE})
    department, _ = Org.objects.get_or_create(
        name=DEPARTMENT, parent=finance, defaults={"kind": Org.Kind.DEPARTMENT}
    )
    orgs = {FINANCE: finance, DEPARTMENT: department}
    for name in (LEGAL_AID, *OTHER_UNITS):
        orgs[name], _ = Org.objects.get_or_create(name=name, parent=department, defaults={"kind": Org.Kind.UNIT})
    return orgs


def load_accounts(orgs: dict[str, Org], passwords: dict[str, str] | None = None) -> dict[str, str]:
    """The demo accounts with fresh random passwords (or those given); returns username → password."""
    users = get_user_model()
    given = passwords or {}
    result = {}
    for username, (role, org_name, superuser) in ACCOUNTS.items():
        user, _ = users.objects.get_or_create(username=username)
        password = given.get(username) or secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_superuser = user.is_staff = superuser
        user.save()
        Membership.objects.get_or_create(user=user, org=orgs[org_name], role=role)
        result[username] = password
    return result


def demo_story() -> dict[str, Any]:
    """The demo's story (jixiao/data/demo.toml): where each seed form ends, what its people write on the way."""
    return tomllib.loads((resources.files("jixiao") / "data" / "demo.toml").read_text(encoding="utf-8"))


def load_forms(orgs: dict[str, Org]) -> int:
    """The seed's forms as drafts of their 2019 self-evaluation, once; returns how many were added."""
    units = [orgs[DEPARTMENT], orgs[LEGAL_AID]]
    if PerformanceForm.objects.filter(unit__in=units, year=DEMO_YEAR).exists():
        return 0
    batch = core_services.read_paths([seed_path()])
    evaluations = core_services.evaluate_batch(batch.forms)
    admin = get_user_model().objects.get(username="admin")
    for evaluation in evaluations:
        record = to_record(evaluation.form)
        record["year"] = record["year"] or DEMO_YEAR
        unit = orgs[LEGAL_AID] if record["unit"].strip() == LEGAL_AID else orgs[DEPARTMENT]
        save_form(admin, record, unit=unit, phase=Phase.SELF, stage=Stage.DRAFT, evaluation=evaluation)
    return len(evaluations)


def _user(username: str) -> object:
    return get_user_model().objects.get(username=username)


def run_story(orgs: dict[str, Org], told: dict[str, Any]) -> None:
    """The 2019 forms through the workflow as the story says (demo.toml [self]), each step by the account whose step it is: the units
    submit, the 主管部门 returns one and approves the others, the finance bureau draws one approved form for
    re-check (fixed seed), records its score and problems, completes the re-check and drafts a rectification item
    per problem, which the admin (another person of the finance bureau) issues; the unit answers the first.
    Then the finance bureau publishes the first approved forms not drawn, two late forms are submitted (the
    reviewer's queue), the department-wide form is submitted for the finance bureau's review, and today's
    reminders are sent (the self-evaluation round closes within their horizon)."""
    forms = list(PerformanceForm.objects.filter(unit__in=[orgs[DEPARTMENT], orgs[LEGAL_AID]], year=DEMO_YEAR,
                                                phase=Phase.SELF).order_by("id"))
    clerk_of = {orgs[DEPARTMENT].pk: _user("clerk"), orgs[LEGAL_AID].pk: _user("clerk2")}
    reviewer, finance, admin = _user("reviewer"), _user("finance"), _user("admin")
    fate = dict(zip((f.pk for f in forms), told["story"], strict=False))
    today = timezone.localdate()
    # The round closes within the reminders' horizon, so that the units hear what they still owe.
    rounds.create_round(finance, year=DEMO_YEAR, phase=Phase.SELF, title=told["round_title"],
                        deadline=today + datetime.timedelta(days=settings.JIXIAO_REMIND_DAYS))
    for form in forms:
        if fate.get(form.pk) in ("returned", "approved"):
            workflow.transition(form, clerk_of[form.unit_id], "submit", told["explanation"])
    for form in forms:
        if fate.get(form.pk) == "returned":
            workflow.transition(form, reviewer, "return", told["return_comment"], [workflow.Cell(**told["return_cell"])])
        elif fate.get(form.pk) == "approved":
            workflow.transition(form, reviewer, "approve", told["approve_comment"])
    draw = recheck.draw_sample(finance, year=DEMO_YEAR, count=1, seed=told["draw_seed"])
    drawn = {item.form_id for item in draw.items.all()}
    for form in PerformanceForm.objects.filter(pk__in=drawn):
        recheck.record_recheck(finance, form, told["recheck_score"], told["recheck_problems"])
        workflow.transition(form, finance, "recheck")
        deadline = today + datetime.timedelta(days=told["rectify_days"])
        items = rectify.write_from_recheck(finance, form.pk, rectify.recheck_problems(form),
                                           told["recheck_requirement"], deadline)
        for item in items:
            rectify.release(admin, item.pk, True)
        rectify.answer(clerk_of[form.unit_id], items[0].pk, told["recheck_answer"])
    approved = [f for f in forms if fate.get(f.pk) == "approved" and f.pk not in drawn]
    for form in approved[:told["published"]]:
        workflow.transition(form, finance, "publish")
    for form in forms:  # submitted after the draw: waiting in the reviewer's queue
        if fate.get(form.pk) == "submitted":
            workflow.transition(form, clerk_of[form.unit_id], "submit", told["explanation"])
    department_form = load_after_demo(orgs[DEPARTMENT], DEMO_YEAR)
    if department_form.stage == dept.Stage.DRAFT:
        dept.transition(clerk_of[orgs[DEPARTMENT].pk], department_form, "submit")
    remind(today)  # the daily reminders: the round's deadline, the forms waiting for review


@transaction.atomic
def load_demo(passwords: dict[str, str] | None = None, library_history: bool = False,
              story: bool = True) -> dict[str, str]:
    """Organisation, accounts and forms of the demo; safe to run on every start.

    `story` takes the new forms through the year's workflow (run_story); without it they stay drafts and nobody has
    a message, as a test that walks the workflow itself from the start needs them. `library_history` adds the samples' forms and
    generated earlier years and peer units for the indicator library.
    """
    orgs = load_orgs()
    result = load_accounts(orgs, passwords)
    told = demo_story()  # jixiao/data/demo.toml, read once: [self] for the forms, [year] for the year app
    first = load_forms(orgs) > 0
    if first and story:
        run_story(orgs, told["self"])
    from jixiao.web.notify.models import Notification
    from jixiao.web.year.demo import load_year

    before = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    load_year(orgs, told["year"])  # the year of each seed project: its target and July monitoring form, the next year's targets
    if not story:  # nobody has news of a year that is not in motion (the next year's declarations stand as ever)
        Notification.objects.filter(id__gt=before).delete()
    load_after_demo(orgs[DEPARTMENT], DEMO_YEAR)
    load_library_demo(history=library_history)
    if first and story:
        propose_library_change(told["library"])
    return result


def propose_library_change(told: dict[str, Any]) -> None:
    """The clerk's proposal of an indicator for the library (demo.toml [library]), waiting for its managers: the
    finance bureau and the administrator, whose messages say so."""
    from jixiao.web.library.models import Entry
    from jixiao.web.library.services import propose

    if not Entry.objects.filter(code=told["record"]["code"]).exists():
        propose(_user("clerk"), "add", told["record"], told["reason"])
