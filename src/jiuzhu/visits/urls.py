"""Home visit URLs, mounted at /visits/."""

from __future__ import annotations

from django.urls import path

from jiuzhu.visits import views

app_name = "visits"

urlpatterns = [
    # `pk` is the case's id here (the route sweep of tests/security fills every `pk`).
    path("cases/<int:pk>/new/", views.visit_new, name="visit_new"),
    path("<int:pk>/", views.visit_edit, name="visit_edit"),
    path("<int:pk>/complete/", views.visit_complete, name="visit_complete"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
