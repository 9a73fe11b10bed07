"""Monitoring URLs, mounted at /monitoring/."""

from __future__ import annotations

from django.urls import path

from jiuzhu.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/export/", views.warning_export, name="warning_export"),
    path("warnings/<int:pk>/", views.task_detail, name="task_detail"),
    path("runs/", views.screening_start, name="screening_start"),
    path("runs/<int:pk>/", views.run_status, name="run_status"),
    path("extracts/", views.extract_upload, name="extract_upload"),
    path("extracts/<int:pk>/", views.extract_detail, name="extract_detail"),
]
