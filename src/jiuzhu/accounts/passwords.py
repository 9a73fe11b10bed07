"""Password rules of security.md §A.1 (等保 8.1.4.1a), as Django password validators.

等保 asks for composition rules where OWASP ASVS does not; 等保 wins, with one
ASVS concession: a long passphrase (≥ 20 characters) is accepted whatever its
character classes. Common passwords are refused by Django's
CommonPasswordValidator (configured next to these in settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

MIN_LENGTH = 12
PASSPHRASE_LENGTH = 20
MIN_CLASSES = 3
MIN_DISTINCT_CHARACTERS = 5

#: Words tied to the platform that make a password guessable (besides the username
#: and the district pinyin from settings.JIUZHU_DISTRICT_PINYIN).
PLATFORM_WORDS: tuple[str, ...] = ("民政", "低保", "救助")

#: A username shorter than this is only refused as the whole password, not as a part.
MIN_USERNAME_PART = 3


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digit and symbol the password uses.

    Anything that is neither a cased letter nor a digit (punctuation, space,
    Chinese characters) counts as a symbol.
    """
    upper = lower = digit = symbol = False
    for char in password:
        if char.isupper():
            upper = True
        elif char.islower():
            lower = True
        elif char.isdigit():
            digit = True
        else:
            symbol = True
    return sum((upper, lower, digit, symbol))


class ComplexityValidator:
    """≥ 12 characters with ≥ 3 character classes, or a passphrase of ≥ 20 characters."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < MIN_LENGTH:
            raise ValidationError(
                "密码长度至少为%(min)d个字符。",
                code="password_too_short",
                params={"min": MIN_LENGTH},
            )
        if len(set(password)) < MIN_DISTINCT_CHARACTERS:
            raise ValidationError(
                "密码不能由少数几个字符重复组成。",
                code="password_repetitive",
            )
        if len(password) >= PASSPHRASE_LENGTH:
            return
        if character_classes(password) < MIN_CLASSES:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类；"
                "或者使用不少于%(passphrase)d个字符的长口令。",
                code="password_too_simple",
                params={"passphrase": PASSPHRASE_LENGTH},
            )

    def get_help_text(self) -> str:
        return (
            f"密码至少{MIN_LENGTH}个字符，并包含大写字母、小写字母、数字、符号中的至少三类；"
            f"也可以使用不少于{PASSPHRASE_LENGTH}个字符的长口令（如一句话）。"
        )


class ContextWordsValidator:
    """Refuses passwords containing the username, 民政, 低保, 救助 or the district pinyin."""

    def context_words(self, user: Any = None) -> list[str]:
        words: list[str] = list(PLATFORM_WORDS)
        words.extend(str(w) for w in getattr(settings, "JIUZHU_DISTRICT_PINYIN", []) if w)
        if user is not None:
            full_name = str(getattr(user, "full_name", "") or "")
            if len(full_name) >= 2:
                words.append(full_name)
        return words

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.casefold()
        username = str(getattr(user, "username", "") or "") if user is not None else ""
        if username:
            name = username.casefold()
            if folded == name or (len(name) >= MIN_USERNAME_PART and name in folded):
                raise ValidationError("密码不能包含用户名。", code="password_contains_username")
        found = _first_contained(folded, self.context_words(user))
        if found is not None:
            raise ValidationError(
                "密码不能包含与本单位或业务相关的词语（如“%(word)s”）。",
                code="password_contains_context_word",
                params={"word": found},
            )

    def get_help_text(self) -> str:
        return "密码不能包含用户名、姓名、“民政”“低保”“救助”或本地区的拼音。"


def _first_contained(folded_password: str, words: Iterable[str]) -> str | None:
    for word in words:
        if word and word.casefold() in folded_password:
            return word
    return None
