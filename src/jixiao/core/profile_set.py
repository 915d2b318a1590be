"""The profiles a form may be scored under, and the choice among them (docs/domain.md §4).

By the form's own evidence (ProfileSet.detect, .choose) or by its year and region (ProfileSet.for_year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from jixiao.core.model import Form
from jixiao.core.profiles import Profile, stem
from jixiao.core.values import parse_number

_CHOICES_KEPT = 4096


class ProfileSet:
    """The profiles a form may be scored under, and the choice among them (docs/domain.md §4).

    Choices are cached per set by what decides them: the forms of a batch share a few shapes.
    """

    def __init__(self, profiles: Sequence[Profile], default: str) -> None:
        self.profiles = tuple(profiles)
        self.by_name = {p.name: p for p in self.profiles}
        if default not in self.by_name:
            raise ValueError(f"default profile {default!r} is not among {list(self.by_name)}")
        self.default = self.by_name[default]
        self._for_year: dict[tuple[int | None, str], Profile] = {}
        self._detected: dict[_EvidenceKey, Choice] = {}
        self._detect_words = tuple(dict.fromkeys(w for p in self.profiles for w in p.template.detect))

    def for_year(self, year: int | None, region: str = "") -> Profile:
        """The profile in force for a year and region: local-2019 up to 2019, mof-2020 from 2020 (and when unknown).

        A profile for the region wins over one for everywhere; then the latest first_year.
        """
        key = (year, region)
        found = self._for_year.get(key)
        if found is None:
            candidates = [p for p in self.profiles if p.chosen_by_year and p.covers(year, region)]
            if year is None or not candidates:
                found = self.default
            else:
                found = max(candidates, key=lambda p: (bool(p.regions), p.first_year or 0))
            self._for_year[key] = found
        return found

    def detect(self, form: Form) -> Profile:
        """The profile a form was written under, from its own evidence (choose)."""
        return self.choose(form).profile

    def choose(self, form: Form) -> Choice:
        """The profile a form was written under, with the evidence and the reason in words.

        Evidence: words of its header labels and column captions that mark a template (weigh 3 each),
        its points labels ("产出指标(75分)" fits local-2019 only, 2), its fund weight (20 → transfer, 2; with
        none printed, a fund score above a profile's fund weight counts −2 against it), its indicator weight
        sum (1), split targets (1). A profile is ruled out by a points label that
        contradicts it, a level-1 name its template does not use, weights where it prints none, or
        no score at all where it prints scores. When every profile is ruled out, the set's
        template-free profile is taken (template-free rules only); with no evidence, or between
        equals, the profile in force for the form's year (for_year) wins.
        """
        # Decimals are keys by value (10 and 10.0 alike), as the evidence compares them by value.
        key = _evidence_key(form, self._detect_words)
        found = self._detected.get(key)
        if found is None:
            if len(self._detected) >= _CHOICES_KEPT:  # a server reads forms for years: keep it bounded
                self._detected.clear()
            found = self._detected[key] = self._weigh(key)
        return found

    def _weigh(self, key: _EvidenceKey) -> Choice:
        candidates = [p for p in self.profiles if not p.template.template_free]
        scored = [(p, _evidence(p, key, use_labels=True)) for p in candidates]
        if all(e is None for p, e in scored if p.category_points) and key.labels:
            # The labels fit no profile with a fixed split: judge by the weights alone.
            scored = [(p, _evidence(p, key, use_labels=False)) for p in candidates]
        fitting = [(p, e) for p, e in scored if e is not None]
        if not fitting:
            free = next((p for p in self.profiles if p.template.template_free), self.default)
            names = "、".join(key.level1) or "无"
            return Choice(free, f"没有与本表相符的评分规则（一级指标：{names}），只按与模板无关的规则复核", ())
        best = max(sum(w for w, _ in e) for _, e in fitting)
        preferred = self.for_year(key.year)
        if not best:
            return Choice(preferred, f"表中没有可区分模板的依据，按年度选用“{preferred.title}”", ())
        pool = [(p, e) for p, e in fitting if sum(w for w, _ in e) == best]
        profile, evidence = next(((p, e) for p, e in pool if p is preferred), pool[0])
        reasons = tuple(why for weight, why in evidence if weight > 0)
        return Choice(profile, f"依据：{'；'.join(reasons)}", reasons)


@dataclass(frozen=True)
class Choice:
    """A detected profile with the evidence that chose it (`jixiao check` prints the reason)."""

    profile: Profile
    reason: str
    evidence: tuple[str, ...]


class _EvidenceKey(NamedTuple):
    year: int | None
    fund: Decimal | None
    fund_score: Decimal | None  # the fund block's printed score
    indicators: Decimal | None
    labels: tuple[tuple[str, Decimal], ...]
    level1: tuple[str, ...]  # level-1 names printed, without 指标
    words: tuple[str, ...]  # template-marking words found in the captions
    weights: bool  # some indicator prints a weight
    scores: bool | None  # a score column or a printed score; None: unknown (a record has no captions)
    split: bool  # targets split over 指标性质 | 指标值 | 度量单位
    funds: bool = False  # the fund block prints an amount


def _evidence_key(form: Form, words: tuple[str, ...]) -> _EvidenceKey:
    captions = form.caption_text
    indicators = form.indicators
    level1 = tuple(dict.fromkeys(stem(i.level1) for i in indicators if i.level1))
    return _EvidenceKey(
        form.year, _fund_weight(form), _fund_number(form, "score"), _indicator_sum(form), tuple(_printed_points(form).items()), level1,
        _words_in(captions, words),
        any(i.weight_number is not None for i in indicators),
        _has_scores(form, captions),
        any(i.target_nature or i.target_unit for i in indicators),
        any(f.amount(c) is not None for f in form.funds for c in ("annual", "executed")),
    )


def _has_scores(form: Form, captions: str) -> bool | None:
    if form.total.score.strip() or any(i.score.strip() for i in form.indicators):
        return True
    if not captions:
        return None
    return "得分" in captions or "评分" in captions


@lru_cache(maxsize=1024)
def _words_in(captions: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The template-marking words the captions hold; cached, as the forms of a batch share their captions."""
    return tuple(w for w in words if w in captions) if captions else ()



def _printed_points(form: Form) -> dict[str, Decimal]:
    return {name: points for name, points in form.points.items() if points is not None}


def _fund_weight(form: Form) -> Decimal | None:
    return _fund_number(form, "weight")


def _fund_number(form: Form, column: str) -> Decimal | None:
    """The fund block's weight or score: the 总额 row's, else the first row's that prints one."""
    total = form.fund("total")
    rows = ([total] if total else []) + [f for f in form.funds if f is not total]
    return next((n for n in (parse_number(getattr(f, column)) for f in rows) if n is not None), None)


def _indicator_sum(form: Form) -> Decimal | None:
    weights = [w for w in (i.weight_number for i in form.indicators) if w is not None]
    return sum(weights, Decimal(0)) if weights else None


def _label_evidence(profile: Profile, printed: Mapping[str, Decimal]) -> int | None:
    """2 when every printed points label ("产出指标(75分)") is a category of the profile with those
    points, 3 when the labels print the profile's whole split (40/40/20 is Ningxia's, whatever a caption
    says), 0 when the profile fixes no split (transfer-2020, frameworks), None when a label contradicts it."""
    if not printed or not profile.category_points:
        return 0
    points = {stem(n): v for n, v in profile.category_points}
    canonical = profile.template.canonical
    found = {stem(canonical(name)): value for name, value in printed.items()}
    if any(points.get(name) != value for name, value in found.items()):
        return None
    return 3 if found == points else 2


def _evidence(profile: Profile, key: _EvidenceKey, use_labels: bool) -> list[tuple[int, str]] | None:
    """How strongly a form fits a profile, item by item (weight, reason in words); None when ruled out."""
    template = profile.template
    labels = _label_evidence(profile, dict(key.labels) if use_labels else {})
    if labels is None:
        return None
    known = {stem(n) for n in profile.level1_known}
    if known and any(name not in known for name in key.level1):
        return None
    if template.weight == "none" and key.weights:
        return None
    if template.scored and key.scores is False:
        return None
    found: list[tuple[int, str]] = [(3, f"表头或栏目含“{w}”") for w in template.detect if w in key.words]
    own = {stem(n) for n in template.level1_names}
    if own and any(name in own for name in key.level1):
        found.append((3, "一级指标为 " + "、".join(key.level1)))
    if labels:
        found.append((labels, "一级指标分值 " + "、".join(f"{n} {v}" for n, v in key.labels)))
    if key.fund is not None and key.fund == profile.fund_weight:
        found.append((2, f"预算执行分值 {key.fund}"))
    elif key.fund is None and key.fund_score is not None and 0 < profile.fund_weight < key.fund_score:
        found.append((-2, ""))  # a fund score above the profile's fund weight, and no weight printed: against it
    elif key.fund is None and key.fund_score is None and key.funds and profile.fund_weight == 0 and template.scored:
        # A fund block with amounts but neither 分值 nor 得分 (Ningxia's): a profile without an execution score
        # fits it, when the level-1 labels that would say so are not printed (a variant found it: 产出指标 unlabelled)
        found.append((2, "预算执行不计分（资金栏无分值、得分）"))
    expected = Decimal(100) if template.weight == "percent" else profile.indicator_total
    if key.indicators is not None and key.indicators == expected:
        found.append((1, f"指标分值合计 {key.indicators}"))
    elif key.indicators is not None and key.indicators > expected:
        found.append((-2, ""))  # more weight than the profile gives its indicators: evidence against it
    if key.split and template.target == "split":
        found.append((1, "指标值分列为指标性质、指标值、度量单位"))
    if not template.scored:
        if key.scores is not False:
            return None  # a form with scores is scored under a profile that scores
        found.append((3, "表中没有得分栏"))
    if template.weight == "none" and not key.weights and key.scores:
        found.append((1, "指标没有分值栏"))
    return found
