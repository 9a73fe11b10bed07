"""Masking golden table: every expected output below was written by hand.

domain.md §7 (names), security.md §E.22 (one masking function, golden-file tests).
"""

from __future__ import annotations

import pytest

from jiuzhu.domain.masking import (
    COMPOUND_SURNAMES,
    MaskKind,
    MaskLevel,
    mask,
    mask_address,
    mask_bank_account,
    mask_health,
    mask_id_number,
    mask_name,
    mask_phone,
)

S = "*"

# (kind, level, input, expected)
GOLDEN: list[tuple[str, str, str | None, str]] = [
    # --- names: domain.md §7 examples first
    ("name", "public", "王芳", "王*"),
    ("name", "public", "王小明", "王*明"),
    ("name", "public", "欧阳娜娜", "欧阳*娜"),
    ("name", "public", "王小明明", "王*明"),  # one star, whatever the length
    ("name", "public", "欧阳娜", "欧阳*"),  # compound surname + one-character given name
    ("name", "public", "欧阳", "欧*"),  # two characters: the two-character rule
    ("name", "public", "司马相如", "司马*如"),
    ("name", "public", "诸葛亮", "诸葛*"),
    ("name", "public", "上官婉儿", "上官*儿"),
    ("name", "public", "东方不败", "东方*败"),
    ("name", "public", "令狐冲", "令狐*"),
    ("name", "public", "尉迟敬德", "尉迟*德"),
    ("name", "public", "爱新觉罗溥仪", "爱新觉罗*仪"),
    ("name", "public", "欧小明", "欧*明"),  # 欧 alone is a single surname
    ("name", "public", "司小红", "司*红"),
    ("name", "public", "买买提·吐尔逊", "买*逊"),
    ("name", "public", "李", "*"),
    ("name", "public", "  张三 ", "张*"),
    ("name", "screen", "王小明", "王*明"),  # names do not depend on the level
    ("name", "public", "", ""),
    ("name", "public", "   ", ""),
    ("name", "public", None, ""),
    # --- ID numbers
    ("id_number", "public", "11010519491231002X", "1" + S * 16 + "X"),
    ("id_number", "screen", "11010519491231002X", "110" + S * 11 + "002X"),
    ("id_number", "public", " 11010519491231002x ", "1" + S * 16 + "X"),
    ("id_number", "screen", "11010519491231002x", "110" + S * 11 + "002X"),
    ("id_number", "screen", "130503670401001", "130" + S * 8 + "1001"),
    ("id_number", "public", "130503670401001", "1" + S * 13 + "1"),
    ("id_number", "screen", "1234567", S * 7),
    ("id_number", "public", "12345", "1***5"),
    ("id_number", "public", "12", "**"),
    ("id_number", "screen", "", ""),
    ("id_number", "public", None, ""),
    # --- phones
    ("phone", "public", "13812345678", "138****5678"),
    ("phone", "public", "138 1234 5678", "138****5678"),
    ("phone", "public", "138-1234-5678", "138****5678"),
    ("phone", "public", "+86 138 1234 5678", "138****5678"),
    ("phone", "public", "008613812345678", "138****5678"),
    ("phone", "public", "028-87654321", "028****4321"),
    ("phone", "public", "87654321", "876*4321"),
    ("phone", "public", "1234567", "*******"),
    ("phone", "screen", "13812345678", "138****5678"),
    ("phone", "public", "", ""),
    # --- bank accounts
    ("bank_account", "public", "6222021234567891234", S * 15 + "1234"),
    ("bank_account", "public", "6222 0212 3456 7891 234", S * 15 + "1234"),
    ("bank_account", "public", "6217-0038-1000-1234", S * 12 + "1234"),
    ("bank_account", "public", "12345", "*2345"),
    ("bank_account", "public", "1234", "****"),
    ("bank_account", "public", "", ""),
    # --- addresses
    (
        "address",
        "public",
        "四川省成都市双流区东升街道白河社区3组12号",
        "四川省成都市双流区东升街道白河社区***",
    ),
    ("address", "public", "成都市双流区彭镇羊坪村5组23号", "成都市双流区彭镇羊坪村***"),
    ("address", "public", "白河社区3组", "白河社区***"),
    ("address", "public", "东升街道锦华路88号", "东升街道***"),
    ("address", "public", "东升街道12号白河社区", "东升街道***"),  # a number before it: not a name
    ("address", "public", "东升街道白河社区", "东升街道白河社区"),  # nothing to hide
    (
        "address",
        "public",
        "江苏省镇江市丹徒区辛丰镇长林村8号",  # 镇江 is a city, not a town
        "江苏省镇江市丹徒区辛丰镇长林村***",
    ),
    (
        "address",
        "public",
        "云南省昭通市镇雄县乌峰街道民主路1号",
        "云南省昭通市镇雄县乌峰街道***",
    ),
    (
        "address",
        "public",
        "湖南省邵阳市隆回县虎形山瑶族乡崇木凼村3组",
        "湖南省邵阳市隆回县虎形山瑶族乡崇木凼村***",
    ),
    (
        "address",
        "public",
        "上海市普陀区曹杨新村街道枣阳路100弄5号",
        "上海市普陀区曹杨新村***",  # the earlier marker wins: masks more, never less
    ),
    # no town or community: up to the county-level unit
    ("address", "public", "成都市武侯区人民南路四段12号", "成都市武侯区***"),
    ("address", "public", "北京市朝阳区建国路88号3号楼", "北京市朝阳区***"),
    (
        "address",
        "public",
        "广西壮族自治区南宁市青秀区民族大道100号",  # 自治区 is a province
        "广西壮族自治区南宁市青秀区***",
    ),
    (
        "address",
        "public",
        "内蒙古自治区鄂尔多斯市伊金霍洛旗文明路5号",
        "内蒙古自治区鄂尔多斯市伊金霍洛旗***",
    ),
    ("address", "public", "某某县人民路5号", "某某县***"),
    # nothing recognisable: everything hidden
    ("address", "public", "锦绣小区3栋2单元501", "***"),
    ("address", "public", "人民路12号", "***"),
    ("address", "screen", "成都市武侯区人民南路四段12号", "成都市武侯区***"),
    ("address", "public", "", ""),
    ("address", "public", None, ""),
    # --- health details are never shown in part
    ("health", "public", "慢性肾病，每月透析", "***"),
    ("health", "screen", "二级肢体残疾", "***"),
    ("health", "public", "", ""),
]

SINGLE_KIND = {
    "name": mask_name,
    "phone": mask_phone,
    "bank_account": mask_bank_account,
    "address": mask_address,
    "health": mask_health,
}


def _id(row: tuple[str, str, str | None, str]) -> str:
    kind, level, raw, _ = row
    return f"{kind}-{level}-{raw!r}"


@pytest.mark.parametrize("row", GOLDEN, ids=[_id(row) for row in GOLDEN])
def test_golden_through_the_one_entry_point(row: tuple[str, str, str | None, str]) -> None:
    kind, level, raw, expected = row
    assert mask(kind, raw, level=level) == expected


@pytest.mark.parametrize("row", GOLDEN, ids=[_id(row) for row in GOLDEN])
def test_golden_through_the_kind_functions(row: tuple[str, str, str | None, str]) -> None:
    kind, level, raw, expected = row
    if kind == "id_number":
        assert mask_id_number(raw, level=MaskLevel(level)) == expected
    else:
        assert SINGLE_KIND[kind](raw) == expected


def test_golden_table_covers_every_kind_and_empty_input() -> None:
    kinds = {row[0] for row in GOLDEN}
    assert kinds == {kind.value for kind in MaskKind}
    for kind in MaskKind:
        assert mask(kind, "") == ""
        assert mask(kind, None) == ""
        assert mask(kind, "  ", level=MaskLevel.SCREEN) == ""


def test_the_default_level_is_the_stricter_public_one() -> None:
    number = "11010519491231002X"
    assert mask("id_number", number) == mask("id_number", number, level="public")
    assert mask_id_number(number) == "1" + S * 16 + "X"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("id_number", "11010519491231002X"),
        ("phone", "13812345678"),
        ("bank_account", "6222021234567891234"),
        ("name", "王小明"),
        ("address", "四川省成都市双流区东升街道白河社区3组12号"),
    ],
)
@pytest.mark.parametrize("level", list(MaskLevel))
def test_a_masked_value_never_contains_the_value(kind: str, value: str, level: MaskLevel) -> None:
    masked = mask(kind, value, level=level)
    assert masked
    assert masked != value
    assert value not in masked
    assert "12号" not in masked


def test_unknown_kind_or_level_is_refused_not_shown() -> None:
    with pytest.raises(ValueError, match=r"salary"):
        mask("salary", "3000")
    with pytest.raises(ValueError, match=r"everyone"):
        mask("name", "王小明", level="everyone")


def test_compound_surnames_include_the_common_ones() -> None:
    common = (
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 "
        "宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 澹台"
    )
    for surname in common.split():
        assert surname in COMPOUND_SURNAMES
        assert mask_name(surname + "明月") == surname + "*月"
        assert mask_name(surname + "明") == surname + "*"
