"""Casework URLs, mounted at /cases/."""

from __future__ import annotations

from django.urls import path

from jiuzhu.casework import api

app_name = "casework"

urlpatterns = [
    path("api/<int:pk>/actions/", api.case_action, name="api_case_action"),
]
