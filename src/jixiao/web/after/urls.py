"""Pages of the after-score side: evidence, rectification, 结果应用, the department-wide form and its report."""

from django.urls import path

from jixiao.web.after import views

urlpatterns = [
    path("after/forms/<int:pk>/evidence/", views.form_evidence, name="after-evidence"),
    path("after/forms/<int:pk>/evidence/upload/", views.evidence_upload, name="after-evidence-upload"),
    path("after/forms/<int:pk>/evidence/request/", views.evidence_request, name="after-evidence-request"),
    path("after/evidence/<int:pk>/", views.evidence_file, name="after-evidence-file"),
    path("after/forms/<int:pk>/report/", views.form_report, name="after-form-report"),
    path("after/forms/<int:pk>/report.<str:fmt>", views.form_report_file, name="after-form-report-file"),
    path("after/forms/<int:pk>/rectify/", views.rectify_from_recheck, name="after-rectify"),
    path("after/rectifications/", views.rectifications, name="after-rectifications"),
    path("after/rectifications.xlsx", views.rectifications_xlsx, name="after-rectifications-xlsx"),
    path("after/rectifications/new/", views.rectification_new, name="after-rectification-new"),
    path("after/rectifications/<int:pk>/", views.rectification, name="after-rectification"),
    path("after/rectifications/<int:pk>/answer/", views.rectification_answer, name="after-rectification-answer"),
    path("after/rectifications/<int:pk>/release/", views.rectification_release, name="after-rectification-release"),
    path("after/rectifications/<int:pk>/revise/", views.rectification_revise, name="after-rectification-revise"),
    path("after/rectifications/<int:pk>/decide/", views.rectification_decide, name="after-rectification-decide"),
    path("after/results/<int:year>/", views.results_page, name="after-results"),
    path("after/results/<int:year>.xlsx", views.results_export, name="after-results-xlsx"),
    path("after/dept/", views.dept_list, name="after-dept-list"),
    path("after/dept/<int:pk>/", views.dept_detail, name="after-dept"),
    path("after/dept/<int:pk>.<str:fmt>", views.dept_export, name="after-dept-export"),
    path("after/dept/<int:pk>/edit/", views.dept_edit, name="after-dept-edit"),
    path("after/dept/<int:pk>/transition/", views.dept_transition, name="after-dept-transition"),
    path("public/dept/<int:pk>/", views.public_dept, name="public-dept"),
    path("public/dept/<int:pk>.json", views.public_dept_json, name="public-dept-json"),
    path("after/dept/<int:pk>/report/", views.dept_report, name="after-dept-report"),
    path("after/dept/<int:pk>/report.<str:fmt>", views.dept_report_file, name="after-dept-report-file"),
    path("after/third-party/", views.third_party_home, name="after-third-party"),
    path("after/third-party/forms/<int:pk>/", views.third_party_form, name="after-third-party-form"),
    path("after/third-party/grants/", views.third_party_grants, name="after-third-party-grants"),
]
