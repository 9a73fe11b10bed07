"""Masking of personal data (脱敏): one module for notices, screens and exports.

`mask(kind, value, level=...)` is the one entry point; the per-kind functions
below it are what it dispatches to. Empty input (None, "" or blanks) gives "".

Formats (domain.md §7, security.md §E.22):

* name — 2 characters keep the first (王芳 → 王*); 3 or more keep the first
  and the last with one star whatever the length (王小明 → 王*明,
  王小明明 → 王*明); a compound surname (复姓) is kept whole (欧阳娜娜 →
  欧阳*娜, 欧阳娜 → 欧阳*). A single character becomes "*". The one star
  does not reveal the name's length.
* id_number — `MaskLevel.PUBLIC` (the default, for anything the public or a
  partner sees): first 1 and last 1 (5****************X); `MaskLevel.SCREEN`
  (staff screens, audited exports): first 3 and last 4
  (510***********123X). Length is kept. Values shorter than 8 (screen) or 3
  (public) characters are all stars.
* phone — separators and a +86/0086 prefix dropped, then first 3 and last 4
  (138****5678, landline 028****4321); fewer than 8 digits: all stars.
* bank_account — separators dropped, only the last 4 shown
  (***************1234); 4 characters or fewer: all stars.
* address — kept up to and including the community/village (社区/村) or, when
  there is none, the sub-district/town (街道/镇); the rest becomes "***"
  (四川省成都市双流区东升街道白河社区3组12号 → 四川省成都市双流区东升街道白河社区***).
  Without either, kept up to the county-level unit (区/县/旗); without that,
  "***". When in doubt this masks more, never less.
* health — any non-empty text becomes "***" (details are never shown masked).

What may appear in a 公示 at all is decided by the notice builder's
allow-list (ID number, phone, address and bank account never do); the level
only decides how much of a value that is shown masked remains visible.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

STAR = "*"
HIDDEN_REST = "***"

#: Compound surnames (复姓) kept whole when a name is masked: those in use
#: today from the 百家姓 list. A name that starts with one of these and has at
#: least three characters is read as compound-surname + given name.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "澹台",
        "万俟", "闻人", "赫连", "公羊", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔",
        "申屠", "仲孙", "钟离", "鲜于", "闾丘", "司空", "亓官", "司寇", "子车", "颛孙",
        "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁",
        "段干", "百里", "东郭", "南门", "呼延", "羊舌", "微生", "梁丘", "左丘", "东门",
        "第五", "太史", "完颜", "爱新觉罗",
    }
)  # fmt: skip


class MaskKind(StrEnum):
    """What a value is; the values match `jiuzhu.core.permissions.SensitiveField`."""

    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    ADDRESS = "address"
    HEALTH = "health"


class MaskLevel(StrEnum):
    """How much of a masked value stays visible (only ID numbers differ today)."""

    PUBLIC = "public"  # notices, payment lists, portal, partner departments
    SCREEN = "screen"  # staff screens and audited exports


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _compact(value: str) -> str:
    """Drop the separators people type inside numbers."""
    return "".join(ch for ch in value if ch not in " \t-\u3000")


def _keep_ends(text: str, head: int, tail: int) -> str:
    """Keep `head` leading and `tail` trailing characters, star the middle (same length)."""
    hidden = len(text) - head - tail
    if hidden <= 0:
        return STAR * len(text)
    return text[:head] + STAR * hidden + text[len(text) - tail :]


def _surname_length(name: str) -> int:
    for length in (4, 2):
        if len(name) > length and name[:length] in COMPOUND_SURNAMES:
            return length
    return 1


def mask_name(value: str | None) -> str:
    """王芳 → 王*, 王小明 → 王*明, 欧阳娜娜 → 欧阳*娜, 欧阳娜 → 欧阳*."""
    name = _clean(value)
    if not name:
        return ""
    if len(name) == 1:
        return STAR
    if len(name) == 2:
        return name[0] + STAR
    surname = _surname_length(name)
    given = name[surname:]
    if len(given) == 1:
        return name[:surname] + STAR
    return name[:surname] + STAR + given[-1]


def mask_id_number(value: str | None, *, level: MaskLevel = MaskLevel.PUBLIC) -> str:
    """PUBLIC: 5****************X; SCREEN: 510***********123X."""
    number = _compact(_clean(value)).upper()
    if not number:
        return ""
    if MaskLevel(level) is MaskLevel.SCREEN:
        return _keep_ends(number, 3, 4) if len(number) >= 8 else STAR * len(number)
    return _keep_ends(number, 1, 1) if len(number) >= 3 else STAR * len(number)


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678; 028-87654321 → 028****4321."""
    number = _compact(_clean(value))
    if not number:
        return ""
    for prefix in ("+86", "0086"):
        if number.startswith(prefix) and len(number) > len(prefix):
            number = number[len(prefix) :]
            break
    if len(number) < 8:
        return STAR * len(number)
    return _keep_ends(number, 3, 4)


def mask_bank_account(value: str | None) -> str:
    """6222 0212 3456 7891 234 → ***************1234 (the last 4 only)."""
    account = _compact(_clean(value))
    if not account:
        return ""
    return _keep_ends(account, 0, 4) if len(account) > 4 else STAR * len(account)


# Address parsing is a heuristic, so every choice below errs on masking more.
# 乡 is left out of the town markers: it starts or ends too many place names (新乡, 东乡).
_TOWNSHIP_MARKERS = ("街道", "镇")
_COMMUNITY_MARKERS = ("社区", "村")
_COUNTY_MARKERS = ("区", "县", "旗")
# A marker right after one of these starts a new unit's name (江苏省镇江市, 昭通市镇雄县).
_UNIT_END_CHARS = frozenset("省市区县州旗盟")
# 小区/园区/社区 are not counties, 自治区 is a province.
_NOT_COUNTY_BEFORE_区 = frozenset("小园社治")
# House-number detail: the community search after a town stops at these.
_DETAIL_CHARS = frozenset("0123456789０１２３４５６７８９号栋幢单元楼室组弄#")


def _find_markers(text: str, markers: tuple[str, ...], start: int = 0) -> list[tuple[int, str]]:
    """(position, marker) of every marker occurrence that ends a unit name."""
    found = []
    for marker in markers:
        pos = text.find(marker, start)
        while pos != -1:
            if pos > start and text[pos - 1] not in _UNIT_END_CHARS:
                found.append((pos, marker))
            pos = text.find(marker, pos + 1)
    return sorted(found)


def _address_keep_length(address: str) -> int:
    units = _find_markers(address, _TOWNSHIP_MARKERS + _COMMUNITY_MARKERS)
    if units:
        pos, marker = units[0]
        end = pos + len(marker)
        if marker in _TOWNSHIP_MARKERS:
            # 东升街道白河社区: extend to the community when only its name lies between.
            for cpos, cmarker in _find_markers(address, _COMMUNITY_MARKERS, end):
                if not any(ch in _DETAIL_CHARS for ch in address[end:cpos]):
                    return cpos + len(cmarker)
                break
        return end
    counties = [
        (pos, marker)
        for pos, marker in _find_markers(address, _COUNTY_MARKERS)
        if not (marker == "区" and address[pos - 1] in _NOT_COUNTY_BEFORE_区)
    ]
    if counties:
        pos, marker = counties[0]
        return pos + len(marker)
    return 0


def mask_address(value: str | None) -> str:
    """Keep up to the community (or town, or county); the rest becomes ***."""
    address = _clean(value)
    if not address:
        return ""
    keep = _address_keep_length(address)
    if keep >= len(address):
        return address
    return address[:keep] + HIDDEN_REST


def mask_health(value: str | None) -> str:
    """Health, disability and medical details are never shown in part."""
    return HIDDEN_REST if _clean(value) else ""


_MASKERS: dict[MaskKind, Callable[[str | None], str]] = {
    MaskKind.NAME: mask_name,
    MaskKind.PHONE: mask_phone,
    MaskKind.BANK_ACCOUNT: mask_bank_account,
    MaskKind.ADDRESS: mask_address,
    MaskKind.HEALTH: mask_health,
}


def mask(
    kind: MaskKind | str, value: str | None, *, level: MaskLevel | str = MaskLevel.PUBLIC
) -> str:
    """The one masking entry point: `mask("name", "王小明") == "王*明"`.

    `kind` is a `MaskKind` or its value (so a `SensitiveField` works too);
    an unknown kind or level raises ValueError rather than showing the value.
    """
    mask_kind = MaskKind(kind)
    mask_level = MaskLevel(level)
    if mask_kind is MaskKind.ID_NUMBER:
        return mask_id_number(value, level=mask_level)
    return _MASKERS[mask_kind](value)


__all__ = [
    "COMPOUND_SURNAMES",
    "MaskKind",
    "MaskLevel",
    "mask",
    "mask_address",
    "mask_bank_account",
    "mask_health",
    "mask_id_number",
    "mask_name",
    "mask_phone",
]
