"""System checks run by `jiuzhu check`, `migrate` and `runserver`."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from jiuzhu.protection.sm import CryptoError


@register()
def key_file_is_usable(app_configs: Any, **kwargs: Any) -> list[Error]:
    from jiuzhu.core.keys import keyring

    try:
        keyring()
    except CryptoError as exc:
        return [Error(str(exc), id="jiuzhu.E001", hint="检查 JIUZHU_KEY_FILE 指向的密钥文件")]
    return []
