from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jiuzhu.core.admin import ReferenceAdmin
from jiuzhu.divisions.models import Division


@admin.register(Division)
class DivisionAdmin(ReferenceAdmin[Division]):
    """Names may be corrected; code, level and parent are fixed once a division exists,
    because jurisdiction paths of users and households hang on them."""

    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Division | None = None) -> Any:
        return ("path", "code", "level", "parent") if obj is not None else ("path",)

    def audit_details(self, obj: Division) -> dict[str, Any]:
        return {"code": obj.code, "level": obj.level}
