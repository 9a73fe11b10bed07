"""System check: the reviewed parameter files load, or the platform refuses to start."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from jiuzhu.domain.policy import ParameterError
from jiuzhu.policy.services import file_table


@register()
def parameter_files_are_valid(app_configs: Any, **kwargs: Any) -> list[Error]:
    file_table.cache_clear()
    try:
        file_table()
    except ParameterError as exc:
        return [
            Error(exc.message, id="jiuzhu.E101", hint="修正 jiuzhu/domain/policy/data 下的参数文件")
        ]
    return []
