from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("jixiao.web.api")),
    path("api/", include("jixiao.web.review.api")),
    path("api/after/", include("jixiao.web.after.api")),
    path("api/", include("jixiao.web.year.api")),
    path("api/", include("jixiao.web.library.api")),
    path("", include("jixiao.web.year.urls")),
    path("", include("jixiao.web.views")),
    path("", include("jixiao.web.review.urls")),
    path("", include("jixiao.web.ops.views")),
    path("", include("jixiao.web.after.urls")),
    path("", include("jixiao.web.library.views")),
    path("", include("jixiao.web.notify.views")),
    path("", include("jixiao.web.accounts.views")),
]

# Errors in Chinese, as JSON under /api/ (jixiao.web.pages).
handler400 = "jixiao.web.pages.bad_request"
handler403 = "jixiao.web.pages.forbidden"
handler404 = "jixiao.web.pages.not_found"
handler500 = "jixiao.web.pages.server_error"
