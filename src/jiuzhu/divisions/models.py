"""Divisions: county → street/township → community/village → grid.

Statutory divisions carry their 12-digit statistical code; a grid (网格) has
no statistical code, so it carries its community's code followed by a
three-digit number (15 digits). `path` is the chain of codes from the county
down, which is what jurisdiction scoping compares.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class Level(models.TextChoices):
    COUNTY = "county", "区县"
    TOWNSHIP = "township", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"


LEVEL_ORDER = [Level.COUNTY, Level.TOWNSHIP, Level.COMMUNITY, Level.GRID]

#: Each level may only sit directly below the one before it.
PARENT_LEVEL = {
    Level.TOWNSHIP: Level.COUNTY,
    Level.COMMUNITY: Level.TOWNSHIP,
    Level.GRID: Level.COMMUNITY,
}


class Division(models.Model):
    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("层级路径", max_length=80, db_index=True, editable=False)

    privacy: ClassVar[dict[str, tuple[str, str]]] = {
        "id": ("none", "主键"),
        "code": ("none", "区划代码"),
        "name": ("none", "区划名称"),
        "level": ("none", "层级"),
        "parent": ("none", "上级区划"),
        "path": ("none", "辖区范围判断"),
    }

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: object, **kwargs: object) -> None:
        path = self.compute_path()
        if self.pk is not None and self.path and path != self.path:
            # Users' and households' jurisdiction hangs on the path: moving a division
            # would silently hand its rows to another jurisdiction.
            raise ValueError("已有区划的代码或上级不能修改；如需调整区划，请新建区划后迁移数据")
        self.path = path
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else "/"
        return f"{prefix}{self.code}/"

    def contains(self, other: Division) -> bool:
        return other.path.startswith(self.path)
