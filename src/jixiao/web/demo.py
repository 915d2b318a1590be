"""The demo organisation, accounts and forms of `jixiao serve --demo` (the seed's eleven 2019 forms)."""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from jixiao import services as core_services
from jixiao.core.model import to_record
from jixiao.web.after.dept import load_demo as load_after_demo
from jixiao.web.forms.store import save_form
from jixiao.web.library.demo import load_library_demo
from jixiao.web.models import Membership, Org, PerformanceForm, Phase, Role, Stage

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


@transaction.atomic
def load_demo(passwords: dict[str, str] | None = None, library_history: bool = False) -> dict[str, str]:
    """Organisation, accounts and forms of the demo; safe to run on every start.

    `library_history` adds the samples' forms and generated earlier years and peer units for the indicator library.
    """
    orgs = load_orgs()
    result = load_accounts(orgs, passwords)
    load_forms(orgs)
    from jixiao.web.year.demo import load_year

    load_year(orgs)  # the year of each seed project: an approved target and a July monitoring form
    load_after_demo(orgs[DEPARTMENT], DEMO_YEAR)
    load_library_demo(orgs, history=library_history)
    return result
