"""The six case documents, as data: one layout per kind, read by both renderers.

A layout is a list of blocks naming the keys of the document's context
(`jiuzhu.documents.contexts`). The PDF renderer walks it with the values; the
default Word template of a kind is the same walk written out with Jinja
placeholders (`jiuzhu.documents.templates_docx`), so an office that edits a
template starts from the same document and uses the same keys (the
`document_templates` command writes the defaults and a list of the keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    APPLICATION_FORM = "applicationform"
    HOME_VISIT = "homevisit"
    REVIEW_MINUTES = "reviewminutes"
    PUBLIC_NOTICE = "publicnotice"
    APPROVAL = "approval"
    REFUSAL = "refusal"


KIND_LABELS: dict[Kind, str] = {
    Kind.APPLICATION_FORM: "申请书",
    Kind.HOME_VISIT: "入户调查表",
    Kind.REVIEW_MINUTES: "民主评议记录",
    Kind.PUBLIC_NOTICE: "公示",
    Kind.APPROVAL: "审核审批表",
    Kind.REFUSAL: "不予批准通知书",
}


@dataclass(frozen=True)
class Heading:
    """A section heading (fixed text)."""

    text: str


@dataclass(frozen=True)
class Para:
    """One paragraph: the context value `key` (a string)."""

    key: str
    align: str = "left"  # left | right | center


@dataclass(frozen=True)
class Lines:
    """One paragraph per item of the context list `key` (strings); `empty` when none."""

    key: str
    empty: str = "无"


@dataclass(frozen=True)
class Fields:
    """A two-column table of labels and context values."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rows:
    """A table with a header, one row per item of the context list `key` (dicts)."""

    key: str
    columns: tuple[tuple[str, str], ...]
    empty: str = "无"


@dataclass(frozen=True)
class Signatures:
    """Lines to sign on paper."""

    labels: tuple[str, ...]


Block = Heading | Para | Lines | Fields | Rows | Signatures


@dataclass(frozen=True)
class Layout:
    kind: Kind
    blocks: tuple[Block, ...]
    landscape: bool = False

    def keys(self) -> list[str]:
        """The context keys the layout uses (title and reference first)."""
        found = ["title", "reference"]
        for block in self.blocks:
            if isinstance(block, Para | Lines | Rows):
                found.append(block.key)
            elif isinstance(block, Fields):
                found.extend(key for _, key in block.rows)
        return list(dict.fromkeys(found))


CASE_FACTS = (
    ("申请编号", "case_no"),
    ("救助项目", "programme"),
    ("申请渠道", "channel"),
    ("受理日期", "opened_on"),
    ("所属街道（乡镇）", "township"),
    ("所属社区（村）", "community"),
    ("家庭编号", "household_no"),
)
APPLICANT = (
    ("申请人（户主）", "applicant_name"),
    ("身份证号", "applicant_id_number"),
    ("联系电话", "applicant_phone"),
    ("家庭住址", "address"),
)
MEMBER_COLUMNS = (
    ("姓名", "name"),
    ("与户主关系", "relation"),
    ("性别", "sex"),
    ("年龄", "age"),
    ("身份证号", "id_number"),
    ("劳动能力", "labor_ability"),
    ("就业状况", "employment"),
)
HISTORY_COLUMNS = (
    ("时间", "at"),
    ("办理事项", "action"),
    ("办理人", "actor"),
    ("意见或理由", "reason"),
)
#: The 公示 table: the fields of `jiuzhu.documents.notices.NOTICE_FIELDS` shown per row.
NOTICE_COLUMNS = (
    ("序号", "no"),
    ("社区（村）", "community"),
    ("户主姓名", "head_name"),
    ("保障人数", "covered_size"),
    ("救助项目", "programme"),
    ("救助金额", "amount"),
    ("公示期", "period"),
)

LAYOUTS: dict[Kind, Layout] = {
    Kind.APPLICATION_FORM: Layout(
        Kind.APPLICATION_FORM,
        (
            Heading("申请信息"),
            Fields(
                (
                    *CASE_FACTS,
                    *APPLICANT,
                    ("帮办代办人", "proxy_worker"),
                    ("经办人员近亲属", "staff_relative"),
                )
            ),
            Heading("共同生活家庭成员"),
            Rows("members", MEMBER_COLUMNS),
            Heading("申请事项"),
            Lines("request_lines"),
            Heading("一次性告知的补正材料"),
            Lines("missing_materials"),
            Heading("告知承诺与授权"),
            Lines("commitment_lines"),
            Signatures(("申请人（签字或按手印）", "受理人", "日期")),
        ),
    ),
    Kind.HOME_VISIT: Layout(
        Kind.HOME_VISIT,
        (
            Fields(
                (
                    ("申请编号", "case_no"),
                    ("救助项目", "programme"),
                    ("所属社区（村）", "community"),
                    ("申请人（户主）", "applicant_name"),
                    ("家庭住址", "address"),
                    ("共同生活家庭成员", "member_count"),
                    ("调查人员", "visitors"),
                    ("调查日期", "visited_on"),
                )
            ),
            Heading("入户调查（看住房、查财产、问收支、访邻里）"),
            Rows("visit_steps", (("调查事项", "step"), ("调查情况", "finding"))),
            Heading("收入核定"),
            Rows(
                "incomes",
                (
                    ("成员", "member"),
                    ("收入类别", "label"),
                    ("月均金额（元）", "amount"),
                    ("认定依据", "basis"),
                    ("是否计入", "counted"),
                ),
                empty="未登记收入",
            ),
            Heading("财产状况"),
            Lines("asset_lines"),
            Heading("办理记录"),
            Rows("visit_records", HISTORY_COLUMNS, empty="尚未登记入户调查"),
            Heading("调查结论"),
            Lines("assessment_lines", empty="尚未测算"),
            Signatures(("调查人员（两人以上签字）", "被调查人（签字）", "日期")),
        ),
    ),
    Kind.REVIEW_MINUTES: Layout(
        Kind.REVIEW_MINUTES,
        (
            Fields(
                (
                    ("申请编号", "case_no"),
                    ("救助项目", "programme"),
                    ("所属社区（村）", "community"),
                    ("申请人（户主）", "applicant_name"),
                    ("评议时间", "review_at"),
                    ("评议地点", "review_place"),
                    ("主持人", "chair"),
                    ("记录人", "recorder"),
                    ("应到人数", "expected"),
                    ("实到人数", "present"),
                    ("同意人数", "agree"),
                    ("不同意人数", "disagree"),
                    ("弃权人数", "abstain"),
                    ("回避人员", "recused"),
                    ("录音录像编号", "recording"),
                )
            ),
            Heading("评议代表"),
            Rows("panel", (("姓名", "name"), ("身份", "role"), ("意见", "vote")), empty=""),
            Heading("评议情况"),
            Lines("review_lines"),
            Heading("办理记录"),
            Rows("review_records", HISTORY_COLUMNS, empty="尚未登记民主评议"),
            Heading("评议结论"),
            Lines("conclusion_lines"),
            Signatures(("主持人", "记录人", "评议代表")),
        ),
    ),
    Kind.PUBLIC_NOTICE: Layout(
        Kind.PUBLIC_NOTICE,
        (
            Para("intro"),
            Rows("rows", NOTICE_COLUMNS, empty="本期无公示对象"),
            Lines("closing_lines"),
            Para("issuing_office", align="right"),
            Para("posted_on", align="right"),
        ),
        landscape=True,
    ),
    Kind.APPROVAL: Layout(
        Kind.APPROVAL,
        (
            Heading("基本情况"),
            Fields(
                (
                    *CASE_FACTS,
                    ("申请人（户主）", "applicant_name"),
                    ("身份证号", "applicant_id_number"),
                    ("家庭住址", "address"),
                    ("共同生活家庭成员", "member_count"),
                    ("当前环节", "state"),
                )
            ),
            Heading("政策测算"),
            Fields(
                (
                    ("测算结论", "outcome"),
                    ("家庭月收入（元）", "household_income"),
                    ("家庭人均月收入（元）", "per_capita_income"),
                    ("保障人数", "covered_count"),
                    ("测算金额（元）", "assessed_amount"),
                    ("复核分类", "review_class"),
                    ("测算时间", "assessed_at"),
                )
            ),
            Lines("explanation_lines", empty="尚未测算"),
            Heading("乡镇（街道）初审意见"),
            Lines("township_lines", empty="尚未提出初审意见"),
            Heading("公示情况"),
            Lines("publicity_lines", empty="尚未公示"),
            Heading("县级审核确认意见"),
            Lines("county_lines", empty="尚未审核确认"),
            Heading("办理过程"),
            Rows("history", HISTORY_COLUMNS),
            Signatures(("经办人", "审核人", "审批人")),
        ),
    ),
    Kind.REFUSAL: Layout(
        Kind.REFUSAL,
        (
            Para("addressee"),
            Para("body"),
            Heading("不予批准的理由"),
            Lines("reasons"),
            Para("legal_basis"),
            Para("remedy"),
            Para("decider", align="right"),
            Para("decided_on", align="right"),
            Signatures(("送达人", "受送达人（签收）", "送达日期")),
        ),
    ),
}
