from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("jixiao.web.api")),
    path("api/", include("jixiao.web.review.api")),
    path("", include("jixiao.web.views")),
    path("", include("jixiao.web.review.urls")),
    path("", include("jixiao.web.ops.views")),
]

# Error answers in Chinese, as pages or (under /api/) JSON (jixiao.web.ops.errors).
handler400 = "jixiao.web.ops.errors.bad_request"
handler403 = "jixiao.web.ops.errors.permission_denied"
handler404 = "jixiao.web.ops.errors.not_found"
handler500 = "jixiao.web.ops.errors.server_error"
