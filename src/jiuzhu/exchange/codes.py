"""Code lists of the data exchange standard: canonical English words and Chinese labels.

A cell matches a code when, after trimming, it equals the English word
case-insensitively or one of the Chinese labels listed beside it. The value
kept is always the canonical word. The first label is the one shown in
messages; the others are accepted synonyms (the standard's label, the
registry's display label, common short forms).
"""

from __future__ import annotations

from collections.abc import Iterator


class CodeList:
    """An ordered list of canonical codes, each with its accepted Chinese labels."""

    __slots__ = ("labels", "lookup", "name", "words")

    def __init__(self, name: str, entries: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self.name = name
        self.words: tuple[str, ...] = tuple(word for word, _ in entries)
        self.labels: dict[str, tuple[str, ...]] = dict(entries)
        lookup: dict[str, str] = {}
        for word, labels in entries:
            for key in (word.lower(), *labels):
                if lookup.setdefault(key, word) != word:
                    raise ValueError(f"code list {name}: {key!r} is ambiguous")
        #: Trimmed, lower-cased cell → canonical word.
        self.lookup = lookup.get

    def normalise(self, raw: str) -> str | None:
        """The canonical word for a cell, or None when the cell is not in the list."""
        return self.lookup(raw.strip().lower())

    def describe(self) -> str:
        """'dibao（最低生活保障）、tekun（特困人员救助供养）…' for messages."""
        return "、".join(f"{w}（{self.labels[w][0]}）" if self.labels[w] else w for w in self.words)

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.labels


PROGRAMS = CodeList(
    "program",
    (
        ("dibao", ("最低生活保障", "低保")),
        ("tekun", ("特困人员救助供养", "特困", "特困供养")),
        ("temp_aid", ("临时救助",)),
        (
            "low_income_recognition",
            ("低保边缘/刚性支出困难家庭认定", "低保边缘/刚性支出困难家庭", "低保边缘"),
        ),
        ("disability_two_subsidies", ("残疾人两项补贴",)),
        ("child_basic_living", ("孤儿/事实无人抚养儿童基本生活保障",)),
        ("elderly_subsidies", ("高龄津贴/经济困难老年人补贴",)),
        ("medical_assistance", ("医疗救助",)),
        ("education_assistance", ("教育救助",)),
        ("housing_assistance", ("住房救助",)),
        ("employment_assistance", ("就业救助",)),
        ("disaster_victim_assistance", ("受灾人员救助",)),
    ),
)

REVIEW_CLASSES = CodeList("review_class", (("A", ()), ("B", ()), ("C", ())))

RELATIONS = CodeList(
    "relation",
    (
        ("head", ("户主",)),
        ("spouse", ("配偶",)),
        ("child", ("子女",)),
        ("parent", ("父母",)),
        ("grandchild", ("孙子女",)),
        ("sibling", ("兄弟姐妹",)),
        ("other", ("其他",)),
    ),
)

LABOR_ABILITIES = CodeList(
    "labor_ability",
    (
        ("full", ("有", "有劳动能力")),
        ("partial", ("部分", "部分劳动能力")),
        ("none", ("无", "无劳动能力")),
    ),
)

HEALTH = CodeList(
    "health",
    (
        ("healthy", ("健康",)),
        ("chronic", ("慢性病",)),
        ("serious", ("重病",)),
    ),
)

EMPLOYMENT = CodeList(
    "employment",
    (
        ("employed", ("稳定就业",)),
        ("flexible", ("灵活就业",)),
        ("unemployed", ("失业",)),
        ("retired", ("退休",)),
        ("none", ("无",)),
    ),
)

DIVISION_LEVELS = CodeList(
    "level",
    (
        ("county", ("区县",)),
        ("township", ("街道/乡镇", "街道", "乡镇", "乡", "镇")),
        ("community", ("社区/村", "社区", "村")),
    ),
)

#: The level a division's parent must have.
PARENT_LEVEL = {"township": "county", "community": "township"}

TAX_CATEGORIES = CodeList(
    "category",
    (
        ("wage", ("工资薪金",)),
        ("labor_service", ("劳务报酬",)),
        ("business", ("经营所得",)),
        ("property_lease", ("财产租赁",)),
        ("interest_dividend", ("利息股息红利",)),
        ("other", ("其他",)),
    ),
)

BENEFIT_TYPES = CodeList(
    "benefit_type",
    (
        ("pension", ("养老金",)),
        ("unemployment", ("失业保险金",)),
        ("work_injury", ("工伤待遇",)),
    ),
)

PROPERTY_USAGES = CodeList(
    "usage",
    (
        ("residential", ("住宅",)),
        ("commercial", ("商业",)),
        ("other", ("其他",)),
    ),
)

VEHICLE_TYPES = CodeList(
    "vehicle_type",
    (("car", ()), ("truck", ()), ("motorcycle", ()), ("other", ())),
)

BUSINESS_ROLES = CodeList(
    "role",
    (
        ("legal_rep", ("法定代表人",)),
        ("shareholder", ("股东",)),
    ),
)
