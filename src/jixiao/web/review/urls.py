"""Pages of the review side (/review/…) and the public pages (/public/…, no login)."""

from django.urls import path

from jixiao.web.review import views

urlpatterns = [
    path("review/", views.form_list, name="review-forms"),
    path("review/forms/<int:pk>/", views.form_review, name="review-form"),
    path("review/forms/<int:pk>/transition/", views.form_transition, name="review-transition"),
    path("review/forms/<int:pk>/recheck/", views.form_recheck, name="review-recheck"),
    path("review/forms/<int:pk>/history/", views.form_history, name="review-history"),
    path("review/forms/<int:pk>/delete/", views.form_delete, name="review-delete"),
    path("review/batch/", views.form_batch, name="review-batch"),
    path("review/rounds/", views.rounds, name="review-rounds"),
    path("review/rounds/<int:pk>/", views.round_detail, name="review-round"),
    path("review/draws/", views.draws, name="review-draws"),
    path("review/draws/<int:pk>/", views.draw_detail, name="review-draw"),
    path("review/overview/", views.overview, name="review-overview"),
    path("review/overview.<str:fmt>", views.overview_export, name="review-overview-export"),
    path("public/", views.public_index, name="public-index"),
    path("public/<int:year>/", views.public_year, name="public-year"),
    path("public/<int:year>/<int:department>/", views.public_department, name="public-department"),
    path("public/forms/<int:pk>/", views.public_form, name="public-form"),
    path("public/forms/<int:pk>.json", views.public_form_json, name="public-form-json"),
    path("public/forms/<int:pk>.<str:fmt>", views.public_form_file, name="public-form-file"),
]
