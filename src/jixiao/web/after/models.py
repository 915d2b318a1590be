"""What the after-score side stores: evidence files and requests for them, rectification items with their
answers, and the department-wide forms with their 自评报告.

The project form itself lives in jixiao.web.models.PerformanceForm; everything here points at it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jixiao.web.models import Org, PerformanceForm


class EvidenceRequest(models.Model):
    """A reviewer asks for evidence on a cell of a form ("indicators[2].actual"); the clerk answers by attaching."""

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="evidence_requests")
    field = models.CharField("单元格", max_length=200, blank=True)
    message = models.TextField("要求")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("提出时间", auto_now_add=True)
    answered_at = models.DateTimeField("补充时间", null=True, blank=True)

    class Meta:
        verbose_name = "佐证材料要求"
        verbose_name_plural = "佐证材料要求"
        ordering = ("form_id", "requested_at", "id")


class Rectification(models.Model):
    """One 整改 item (docs/cycle.md §6.5): a problem, what must be done, by whom and by when; the unit answers,
    the issuer accepts or returns the answer."""

    class Source(models.TextChoices):
        REVIEW = "review", "审核"
        RECHECK = "recheck", "抽查复核"
        MONITOR = "monitor", "运行监控预警"
        FINANCE_EVALUATION = "fin_eval", "财政评价"

    class Status(models.TextChoices):
        # An item is written as a draft, reviewed inside the issuing side and only then issued to the unit
        # (docs/cycle.md §6.5: 待下达 → 审核 → 下达); the unit never sees the first two.
        DRAFT = "draft", "待下达（内部审核中）"
        DRAFT_RETURNED = "draft_back", "草稿已退回"
        ISSUED = "issued", "待整改"
        ANSWERED = "answered", "待审核"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已通过"

    form = models.ForeignKey(PerformanceForm, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="rectifications")
    unit = models.ForeignKey(Org, verbose_name="责任单位", on_delete=models.PROTECT, related_name="rectifications")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    problem = models.TextField("问题")
    requirement = models.TextField("整改要求")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    measures = models.TextField("整改措施", blank=True)  # the unit's latest answer
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")  # the writer
    issued_at = models.DateTimeField("起草时间", auto_now_add=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="内部审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField("下达时间", null=True, blank=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ("deadline", "id")


class RectificationEvent(models.Model):
    """One step of an item: drafted, revised, its draft returned or issued, answered (with measures), accepted or
    returned (with an opinion)."""

    item = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=12)
    text = models.TextField("内容", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ("item_id", "at", "id")


class Evidence(models.Model):
    """A file attached to a form, to one of its cells, or to a rectification item; stored through Django's
    storage API (the data folder unless settings.STORAGES names an "evidence" backend)."""

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="evidence")
    field = models.CharField("单元格", max_length=200, blank=True)  # "" for the whole form
    rectification = models.ForeignKey(Rectification, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="evidence")
    request = models.ForeignKey(EvidenceRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="evidence")
    name = models.CharField("文件名", max_length=255)
    stored = models.CharField(max_length=500)  # the storage's name of the file
    size = models.PositiveBigIntegerField("大小")
    content_type = models.CharField(max_length=100)
    form_version = models.PositiveIntegerField("表单版本")  # the form's version when it was attached
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ("form_id", "uploaded_at", "id")


class DeptSelfEvaluation(models.Model):
    """A department's department-wide form (jixiao.dept-self/1) of a year, and its 自评报告 (jixiao.report/1)."""

    department = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="dept_self_evaluations")
    year = models.PositiveIntegerField("年度")
    class Stage(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已审核"
        PUBLISHED = "published", "已公开"

    profile = models.CharField("评分规则", max_length=100, default="dept-53")
    stage = models.CharField("状态", max_length=12, choices=Stage.choices, default=Stage.DRAFT)
    comment = models.TextField("审核意见", blank=True)
    record = models.JSONField("表单（jixiao.dept-self/1）")
    report = models.JSONField("自评报告（jixiao.report/1）", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # When the finance bureau approved and published it: the publication deadline counts from the approval.
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = "部门整体自评"
        verbose_name_plural = "部门整体自评"
        constraints = (models.UniqueConstraint(fields=["department", "year"], name="after_dept_year_unique"),)


class ThirdPartyGrant(models.Model):
    """The finance bureau lets a third-party evaluator (财预〔2021〕6号) see and re-check the forms of one round."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人员", on_delete=models.CASCADE,
                             related_name="third_party_grants")
    round = models.ForeignKey("review.Round", verbose_name="填报任务", on_delete=models.CASCADE, related_name="+")
    firm = models.CharField("第三方机构", max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "第三方评价授权"
        verbose_name_plural = "第三方评价授权"
        constraints = (models.UniqueConstraint(fields=["user", "round"], name="after_grant_unique"),)


class ThirdPartyRecheck(models.Model):
    """A third party's own re-check of a form of its round: its score and problems, signed by its firm and person."""

    grant = models.ForeignKey(ThirdPartyGrant, on_delete=models.CASCADE, related_name="rechecks")
    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="third_party_rechecks")
    score = models.DecimalField("复核得分", max_digits=8, decimal_places=2)
    problems = models.TextField("发现的问题", blank=True)
    recorded_at = models.DateTimeField("复核时间", auto_now=True)

    class Meta:
        verbose_name = "第三方复核"
        verbose_name_plural = "第三方复核"
        constraints = (models.UniqueConstraint(fields=["grant", "form"], name="after_third_party_recheck_unique"),)


class FormReport(models.Model):
    """The 自评报告 (jixiao.report/1) of a project's self-evaluation, as its unit wrote it."""

    form = models.OneToOneField(PerformanceForm, on_delete=models.CASCADE, related_name="self_report")
    record = models.JSONField("自评报告（jixiao.report/1）")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "项目自评报告"
        verbose_name_plural = "项目自评报告"
