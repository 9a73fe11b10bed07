"""Document URLs, mounted at /documents/."""

from __future__ import annotations

from django.urls import path

from jiuzhu.documents import views

app_name = "documents"

urlpatterns = [
    path(
        "cases/<int:case_pk>/documents/<str:kind>.<str:fmt>",
        views.render_document,
        name="render",
    ),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>.pdf", views.community_board_pdf, name="community_board_pdf"),
    path("notices/<int:pk>.docx", views.community_board_docx, name="community_board_docx"),
]
