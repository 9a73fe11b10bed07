"""Model fields for sensitive personal information (security.md §D.16).

`SealedField` keeps an SM4-GCM ciphertext with its key id; the clear value
exists only in memory. `BlindIndexField` keeps the HMAC-SM3 of the normalised
value of a sibling `SealedField`, so equality lookups work without clear text.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model

from jiuzhu.core.keys import blind_index, keyring


class SealedField(models.TextField[str, str]):
    """Text stored encrypted; `purpose` is bound to the ciphertext."""

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return keyring().decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return keyring().encrypt(str(value), purpose=self.purpose)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            return None  # ciphertexts cannot be compared: search through the blind index
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField[str, str]):
    """HMAC-SM3 of the sibling field `source`, recomputed on every save and bulk insert."""

    def __init__(self, *args: Any, source: str, purpose: str, **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 44)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        for key in ("max_length", "editable", "db_index", "default", "blank"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: Model, add: bool) -> str:
        clear = getattr(model_instance, self.source)
        value = blind_index(clear, purpose=self.purpose) if clear else ""
        setattr(model_instance, self.attname, value)
        return value
