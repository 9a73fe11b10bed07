"""Registry URLs, mounted at /households/. Every route taking an object id is
covered by tests/registry/test_permission_sweep.py, which enumerates this list."""

from __future__ import annotations

from django.urls import path

from jiuzhu.registry import api, views

app_name = "registry"

urlpatterns = [
    path("", views.household_search, name="household_search"),
    path("export/", views.household_export, name="household_export"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/reveal/<str:field>/", views.household_reveal, name="household_reveal"),
    path("<int:pk>/reveal/<int:member_id>/<str:field>/", views.member_reveal, name="member_reveal"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_status, name="import_status"),
    path("api/households/", api.household_list, name="api_household_list"),
    path("api/households/<int:pk>/", api.household_detail, name="api_household_detail"),
]
