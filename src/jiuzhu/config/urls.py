from django.contrib import admin
from django.urls import include, path

from jiuzhu.accounts.views import home

admin.site.site_header = "智慧救助平台 · 基础数据管理"
admin.site.site_title = "智慧救助平台"
admin.site.index_title = "基础数据"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("jiuzhu.accounts.urls")),
    path("households/", include("jiuzhu.registry.urls")),
    path("audit/", include("jiuzhu.audit.urls")),
    path("policy/", include("jiuzhu.policy.urls")),
    path("cases/", include("jiuzhu.casework.urls")),
    path("visits/", include("jiuzhu.visits.urls")),
    path("documents/", include("jiuzhu.documents.urls")),
    path("reviews/", include("jiuzhu.reviews.urls")),
    path("monitoring/", include("jiuzhu.monitoring.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "jiuzhu.core.views.bad_request"
handler403 = "jiuzhu.core.views.permission_denied"
handler404 = "jiuzhu.core.views.page_not_found"
handler500 = "jiuzhu.core.views.server_error"
