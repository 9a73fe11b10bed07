"""Audit URLs, mounted at /audit/: a read-only page for the 审计员."""

from __future__ import annotations

from django.urls import path

from jiuzhu.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
]
