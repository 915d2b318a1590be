from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("jixiao.web.api")),
    path("api/", include("jixiao.web.review.api")),
    path("api/", include("jixiao.web.library.api")),
    path("", include("jixiao.web.views")),
    path("", include("jixiao.web.review.urls")),
    path("", include("jixiao.web.library.views")),
]
