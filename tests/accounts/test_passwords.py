"""Password rules, security.md §A.1: 等保 composition, passphrases, common and context words."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from jiuzhu.accounts.models import User
from jiuzhu.accounts.passwords import ComplexityValidator, ContextWordsValidator


@pytest.fixture(autouse=True)
def _district(settings: Any) -> None:
    settings.JIUZHU_DISTRICT_PINYIN = ["jinjiang", "qingshui"]


def someone() -> User:
    # Not saved: validators only read attributes.
    return User(username="zhangwei", full_name="张伟")


def codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


@pytest.mark.parametrize(
    "password",
    [
        "Blue#Mountain7x",  # 15 characters, all four classes
        "blue#mountain7x",  # 15 characters, three classes (no upper case)
        "BLUEMOUNTAIN7x",  # upper, lower, digit
        "Blue Mountain Sky",  # upper, lower, space (a symbol) — 17 characters
        "correct horse battery staple",  # passphrase: 28 characters, only lower + space
        "我家门前有两棵树一棵是枣树另一棵也是枣树",  # passphrase of 20 Chinese characters
    ],
)
def test_accepted(password: str) -> None:
    assert codes(password, someone()) == set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Blue#Mount7", "password_too_short"),  # 11 characters
        ("bluemountain7x", "password_too_simple"),  # 14 characters, two classes
        ("BLUE-MOUNTAINS", "password_too_simple"),  # upper + symbol only
        ("greenvalleyriver19", "password_too_simple"),  # 18: not yet a passphrase
        ("Aa1!Aa1!Aa1!Aa1!", "password_repetitive"),  # four distinct characters
        ("zzzzzzzzzzzzzzzzzzzzzzzz", "password_repetitive"),  # long but one character
    ],
)
def test_refused_by_composition(password: str, code: str) -> None:
    assert code in codes(password, someone())


def test_passphrase_threshold_is_twenty_characters() -> None:
    validator = ComplexityValidator()
    validator.validate("greenvalleyriverside")  # 20 lower-case letters: accepted
    with pytest.raises(ValidationError) as exc:
        validator.validate("greenvalleyriversid")  # 19
    assert exc.value.error_list[0].code == "password_too_simple"


@pytest.mark.parametrize(
    "password",
    [
        "Password1234",  # passes composition, but is on the common-password list
        "1q2w3e4r5t6y7u8i9o0p",  # 20 characters, yet common
    ],
)
def test_common_passwords_refused(password: str) -> None:
    assert "password_too_common" in codes(password)


@pytest.mark.parametrize(
    ("password", "word"),
    [
        ("Good民政Pass#2026", "民政"),
        ("Xin低保Nian#2026", "低保"),
        ("我们的救助工作很重要但需要更长的密码口令", "救助"),
        ("Visit#JinJiang26", "jinjiang"),  # district pinyin, any case
        ("qingshui river at dawn is lovely", "qingshui"),  # also inside passphrases
    ],
)
def test_context_words_refused(password: str, word: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ContextWordsValidator().validate(password, someone())
    error = exc.value.error_list[0]
    assert error.code == "password_contains_context_word"
    assert error.params == {"word": word}


@pytest.mark.parametrize("password", ["ZhangWei#2026ab", "my name is ZHANGWEI and i like tea"])
def test_username_refused_case_insensitively(password: str) -> None:
    assert "password_contains_username" in codes(password, someone())


def test_full_name_refused() -> None:
    assert "password_contains_context_word" in codes("Hello张伟#2026", someone())


def test_messages_are_chinese() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_password("short", someone())
    text = " ".join(exc.value.messages)
    assert "密码长度至少为12个字符" in text
    assert "至少三类" in ComplexityValidator().get_help_text()
    assert "民政" in ContextWordsValidator().get_help_text()
