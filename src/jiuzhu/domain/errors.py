"""Typed domain errors: a stable code for programs, a Chinese message for people."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation raised by the domain core.

    `code` is stable (clients branch on it); `message` is the Chinese text
    shown to users.
    """

    code: str = "domain_error"
    default_message: str = "数据不符合业务规则"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
