"""Every field of every jiuzhu model is tagged none / personal / sensitive with a
purpose (security.md §E.21); a new field without a tag fails here."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from jiuzhu.core.fields import BlindIndexField, SealedField

TAGS = frozenset({"none", "personal", "sensitive"})


def jiuzhu_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("jiuzhu.")
        for model in config.get_models()
    ]


def privacy_problems(model: type[models.Model]) -> list[str]:
    """What is wrong with a model's `privacy` dict, in words (empty when all is well)."""
    label = model._meta.label
    privacy: Any = getattr(model, "privacy", None)
    if not isinstance(privacy, dict):
        return [f"{label}: no `privacy` dict"]
    problems: list[str] = []
    fields = {field.name: field for field in model._meta.concrete_fields}
    for name in sorted(fields.keys() - privacy.keys()):
        problems.append(f"{label}.{name}: no privacy tag")
    for name in sorted(privacy.keys() - fields.keys()):
        problems.append(f"{label}.{name}: stale entry (no such field)")
    for name, entry in privacy.items():
        if not (isinstance(entry, tuple) and len(entry) == 2):
            problems.append(f"{label}.{name}: entry should be (tag, purpose), not {entry!r}")
            continue
        tag, purpose = entry
        if tag not in TAGS:
            problems.append(f"{label}.{name}: tag {tag!r} not in {sorted(TAGS)}")
        if not isinstance(purpose, str) or not purpose.strip():
            problems.append(f"{label}.{name}: empty purpose")
        field = fields.get(name)
        if isinstance(field, SealedField) and tag != "sensitive":
            problems.append(f"{label}.{name}: an encrypted field must be tagged sensitive")
        if isinstance(field, BlindIndexField) and tag != "none":
            problems.append(f"{label}.{name}: a blind index reveals nothing, tag it none")
    return problems


def test_there_are_models_to_check() -> None:
    labels = {model._meta.label for model in jiuzhu_models()}
    assert {"registry.Household", "registry.Member", "audit.AuditEvent", "accounts.User"} <= labels


@pytest.mark.parametrize("model", jiuzhu_models(), ids=lambda m: m._meta.label)
def test_every_field_is_tagged(model: type[models.Model]) -> None:
    assert privacy_problems(model) == []


@isolate_apps("jiuzhu.audit")
def test_the_check_catches_untagged_stale_and_bad_entries() -> None:
    class Sample(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=10)
        untagged = models.CharField(max_length=10)
        mood = models.CharField(max_length=10)
        note = models.CharField(max_length=10)

        privacy = {  # noqa: RUF012 - the shape under test
            "id": ("none", "主键"),
            "name": ("personal", "身份识别"),
            "mood": ("secret", "情绪"),
            "note": ("none", " "),
            "gone": ("none", "早已删除的字段"),
        }

        class Meta:
            app_label = "audit"

    problems = privacy_problems(Sample)
    assert any("untagged: no privacy tag" in p for p in problems)
    assert any("gone: stale entry" in p for p in problems)
    assert any("mood: tag 'secret'" in p for p in problems)
    assert any("note: empty purpose" in p for p in problems)
    assert not any(".name:" in p or ".id:" in p for p in problems)
