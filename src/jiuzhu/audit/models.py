"""Append-only audit log with an SM3 hash chain (security.md §C).

Each row's `row_hash` = SM3(prev_hash ‖ canonical JSON of the row); the chain
head row serialises appends so the chain has no forks. Rows never carry a
clear sensitive value, only what was looked at.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    user_id = models.BigIntegerField("用户ID", null=True)
    username = models.CharField("用户名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    division_code = models.CharField("所属区划", max_length=15, blank=True)
    ip = models.CharField("IP地址", max_length=45, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    result = models.CharField("结果", max_length=16)
    request_id = models.CharField("请求ID", max_length=32, blank=True)
    details = models.JSONField("详情", default=dict)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    row_hash = models.CharField("本条哈希", max_length=64)

    privacy: ClassVar[dict[str, tuple[str, str]]] = {
        "id": ("none", "主键"),
        "seq": ("none", "哈希链顺序"),
        "at": ("none", "审计时间"),
        "user_id": ("personal", "审计：操作人"),
        "username": ("personal", "审计：操作人"),
        "role": ("none", "审计：角色"),
        "division_code": ("none", "审计：区划"),
        "ip": ("personal", "审计：来源地址"),
        "action": ("none", "审计：操作"),
        "object_type": ("none", "审计：对象"),
        "object_id": ("none", "审计：对象"),
        "result": ("none", "审计：结果"),
        "request_id": ("none", "审计：请求关联"),
        "details": ("personal", "审计：上下文（不含明文敏感信息）"),
        "prev_hash": ("none", "防篡改"),
        "row_hash": ("none", "防篡改"),
    }

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.result}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录不能删除")


class AuditChainHead(models.Model):
    """A single row locked while appending, so two writers cannot fork the chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    privacy: ClassVar[dict[str, tuple[str, str]]] = {
        "id": ("none", "主键"),
        "last_seq": ("none", "哈希链"),
        "last_hash": ("none", "哈希链"),
    }

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_seq}"
