"""Forms of the home visit page, one per section; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from jiuzhu.registry.models import IncomeCategory, Member
from jiuzhu.visits.models import STEP_LABELS, FindingBasis, HomeVisit, VisitExpenseKind
from jiuzhu.visits.services import (
    MAX_ATTACHMENT_BYTES,
    MAX_NOTES,
    MAX_ROWS,
    ExpenseFinding,
    IncomeFinding,
)

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
MONEY = {"class": "form-control", "inputmode": "decimal"}
STEP_HINTS = {
    "housing": "住房面积、结构、权属和居住条件，家中主要家具家电。",
    "assets": "存款、房产、车辆、经营活动等财产情况，与申报和核对结果是否一致。",
    "income": "家庭成员的就业和收入来源、主要开支；收入和支出的金额在下面逐条登记。",
    "neighbours": "走访的邻居或村（居）民代表，他们反映的家庭生活状况。",
}


def _member_label(member: Member) -> str:
    return f"{member.name}（{member.get_relation_display()}）"


class VisitorsForm(forms.Form):
    visited_on = forms.DateField(
        label="调查日期", widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d")
    )
    staff = forms.TypedMultipleChoiceField(
        label="本辖区工作人员",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    others = forms.CharField(
        label="其他调查人员（每行一个姓名，如村（居）委会成员）",
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [  # type: ignore[attr-defined]
            (user.pk, f"{user.full_name or user.username}（{user.role_label}）")
            for user in candidates
        ]

    @classmethod
    def initial_for(cls, visit: HomeVisit) -> dict[str, Any]:
        visitors = list(visit.visitors.all())
        return {
            "visited_on": visit.visited_on,
            "staff": [v.user_id for v in visitors if v.user_id is not None],
            "others": "\n".join(v.name for v in visitors if v.user_id is None),
        }

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "staff": data["staff"],
            "others": [line for line in data["others"].splitlines() if line.strip()],
        }


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False, max_length=MAX_NOTES, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].label = f"{STEP_LABELS[step]}情况"
        self.fields["notes"].help_text = STEP_HINTS[step]


class IncomeRowForm(forms.Form):
    member = forms.TypedChoiceField(label="成员", coerce=int, widget=forms.Select(attrs=SELECT))
    category = forms.ChoiceField(
        label="收入类别",
        choices=[("", "请选择"), *IncomeCategory.choices],
        widget=forms.Select(attrs=SELECT),
    )
    monthly_amount = forms.DecimalField(
        label="月收入（元）",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs=MONEY),
    )
    basis = forms.ChoiceField(
        label="认定依据",
        choices=[("", "请选择"), *FindingBasis.choices],
        widget=forms.Select(attrs=SELECT),
    )
    reason = forms.CharField(
        label="评估理由/说明",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "如：灵活就业，每月约做零工15天"}),
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "请选择")] + [  # type: ignore[attr-defined]
            (m.pk, _member_label(m)) for m in members
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("basis") == FindingBasis.ASSESSED and not str(data.get("reason", "")).strip():
            self.add_error("reason", "入户评估的收入须写明评估理由")
        return data


class ExpenseRowForm(forms.Form):
    kind = forms.ChoiceField(
        label="支出类别",
        choices=[("", "请选择"), *VisitExpenseKind.choices],
        widget=forms.Select(attrs=SELECT),
    )
    member = forms.TypedChoiceField(
        label="成员",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    amount = forms.DecimalField(
        label="近12个月金额（元）",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs=MONEY),
    )
    note = forms.CharField(
        label="说明", required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "（全家）")] + [  # type: ignore[attr-defined]
            (m.pk, _member_label(m)) for m in members
        ]


class _Rows(forms.BaseFormSet[Any]):
    """Rows left blank are skipped; a ticked 删除 drops the row."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "删除此行"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


def kept(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The cleaned rows of a valid formset, without the blank and the deleted ones."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


IncomeRows = forms.formset_factory(
    IncomeRowForm, formset=_Rows, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True
)
ExpenseRows = forms.formset_factory(
    ExpenseRowForm, formset=_Rows, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True
)


class IncomeSection:
    """The 问收支 section: notes, income rows, expense rows — saved together."""

    def __init__(self, visit: HomeVisit, members: list[Member], data: Any = None) -> None:
        self.notes = NotesForm(
            data, step="income", prefix="income", initial={"notes": visit.income_notes}
        )
        incomes = [
            {
                "member": row.member_id,
                "category": row.category,
                "monthly_amount": row.monthly_amount,
                "basis": row.basis,
                "reason": row.reason,
            }
            for row in visit.incomes.all()
        ]
        expenses = [
            {"kind": row.kind, "member": row.member_id, "amount": row.amount, "note": row.note}
            for row in visit.expenses.all()
        ]
        rows = {"members": members}
        self.incomes = IncomeRows(data, prefix="inc", initial=incomes or None, form_kwargs=rows)
        self.expenses = ExpenseRows(data, prefix="exp", initial=expenses or None, form_kwargs=rows)

    def is_valid(self) -> bool:
        results = [self.notes.is_valid(), self.incomes.is_valid(), self.expenses.is_valid()]
        return all(results)

    def data_for_service(self) -> dict[str, Any]:
        return {
            "notes": self.notes.cleaned_data["notes"],
            "incomes": [
                IncomeFinding(
                    member_id=row["member"],
                    category=row["category"],
                    monthly_amount=row["monthly_amount"],
                    basis=row["basis"],
                    reason=row.get("reason", ""),
                )
                for row in kept(self.incomes)
            ],
            "expenses": [
                ExpenseFinding(
                    kind=row["kind"],
                    amount=row["amount"],
                    member_id=row.get("member"),
                    note=row.get("note", ""),
                )
                for row in kept(self.expenses)
            ],
        }


class SignaturesForm(forms.Form):
    family_signatory = forms.CharField(
        label="签字确认的家庭成员姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs=TEXT),
    )
    family_signed = forms.BooleanField(
        label="家庭成员已在调查表上签字确认",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, visit: HomeVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visitor_fields: list[str] = []
        for visitor in visit.visitors.all():
            name = f"signed_{visitor.pk}"
            self.fields[name] = forms.BooleanField(
                label=f"{visitor.name} 已签字",
                required=False,
                initial=visitor.signed,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.visitor_fields.append(name)

    def visitor_boxes(self) -> list[forms.BoundField]:
        return [self[name] for name in self.visitor_fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("family_signed") and not str(data.get("family_signatory", "")).strip():
            self.add_error("family_signatory", "请填写签字确认的家庭成员姓名")
        return data

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "signed": [
                int(name.removeprefix("signed_")) for name in self.visitor_fields if data.get(name)
            ],
            "family_signatory": data["family_signatory"],
            "family_signed": data["family_signed"],
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="照片或文件（JPEG、PNG 或 PDF，不超过 10 MB）",
        widget=forms.ClearableFileInput(
            attrs={**TEXT, "accept": "image/jpeg,image/png,application/pdf"}
        ),
    )
    caption = forms.CharField(
        label="说明（如：住房外景、签字的调查表）",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=TEXT),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is not None and (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError("附件不能超过 10 MB")
        return upload
