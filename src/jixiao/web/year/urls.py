"""Pages of the year app (/year/…) and its public pages (/public/targets/…)."""

from django.urls import path

from jixiao.web.year import api, views

urlpatterns = [
    path("year/", views.index, name="year-index"),
    path("year/targets/new/", views.target_new, name="year-target-new"),
    path("year/targets/<int:pk>/", views.target_page, name="year-target"),
    path("year/targets/<int:pk>/<str:action>/", views.target_post, name="year-target-action"),
    path("year/targets/<int:pk>/diff/<int:a>/<int:b>/", views.target_diff, name="year-target-diff"),
    path("year/import/", views.year_import, name="year-import"),
    path("year/import/confirm/", views.year_import_confirm, name="year-import-confirm"),
    path("year/targets/<int:pk>/export.<str:fmt>", views.target_export, name="year-target-export"),
    path("year/monitors/<int:pk>/export.<str:fmt>", views.monitor_export, name="year-monitor-export"),
    path("year/rounds/", views.rounds, name="year-rounds"),
    path("year/publication/", views.publication, name="year-publication"),
    path("year/rounds/<int:pk>/warnings/", views.round_warnings, name="year-round-warnings"),
    path("year/monitors/<int:pk>/", views.monitor_page, name="year-monitor"),
    path("year/warnings/<int:pk>/answer/", views.warning_answer, name="year-warning-answer"),
    path("year/project/<int:pk>/", views.project, name="year-project"),
    *api.public_urlpatterns,
    path("public/targets/", views.public_targets, name="public-targets"),
    path("public/targets/<int:pk>/", views.public_target, name="public-target"),
]
