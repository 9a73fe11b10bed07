"""Casework URLs, mounted at /cases/. Every route taking a case id answers 404 for a
case outside the user's jurisdiction (tests/casework/test_pages.py sweeps them)."""

from __future__ import annotations

from django.urls import path

from jiuzhu.casework import api, views

app_name = "casework"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.case_new, name="case_new"),
    path("export/", views.worklist_export, name="worklist_export"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/", views.case_act, name="case_act"),
    path("<int:pk>/assess/", views.case_assess, name="case_assess"),
    path("<int:pk>/record/", views.case_record, name="case_record"),
    path("api/<int:pk>/actions/", api.case_action, name="api_case_action"),
]
