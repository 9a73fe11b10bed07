"""Forms of the monitoring screens. Community and quarter choices are the user's own
(scoped) ones, so a foreign community id is just an invalid choice."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from jiuzhu.core import clock
from jiuzhu.divisions.models import Division
from jiuzhu.exchange import Quarter
from jiuzhu.monitoring import selectors
from jiuzhu.monitoring.models import Direction, Outcome, Rule, TaskStatus
from jiuzhu.monitoring.services import EXTRACT_SUFFIXES, KIND_LABELS, MIN_REASON
from jiuzhu.screening.backends import ENGINES

SELECT = "form-select form-select-sm"
CONTROL = "form-control"
ENGINE_LABELS = {"duckdb": "DuckDB（单机）", "spark": "Spark（集群）"}
RECENT_QUARTERS = 8


def _attrs(css: str, testid: str, **extra: Any) -> dict[str, Any]:
    return {"class": css, "data-testid": testid, **extra}


def recent_quarters(count: int = RECENT_QUARTERS) -> list[str]:
    """The current quarter and the ones before it, newest first."""
    today = clock.today()
    quarter = Quarter(today.year, (today.month - 1) // 3 + 1)
    found = []
    for _ in range(count):
        found.append(str(quarter))
        quarter = quarter.previous()
    return found


class CommunityChoiceField(forms.ModelChoiceField[Division]):
    def label_from_instance(self, obj: Division) -> str:
        return obj.name


class WarningFilterForm(forms.Form):
    rule = forms.ChoiceField(
        label="预警规则",
        required=False,
        choices=[("", "全部规则"), *Rule.choices],
        widget=forms.Select(attrs=_attrs(SELECT, "filter-rule")),
    )
    direction = forms.ChoiceField(
        label="预警方向",
        required=False,
        choices=[("", "全部方向"), *Direction.choices],
        widget=forms.Select(attrs=_attrs(SELECT, "filter-direction")),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *TaskStatus.choices],
        widget=forms.Select(attrs=_attrs(SELECT, "filter-status")),
    )
    period = forms.ChoiceField(
        label="预警季度",
        required=False,
        choices=[("", "全部季度")],
        widget=forms.Select(attrs=_attrs(SELECT, "filter-period")),
    )
    community = CommunityChoiceField(
        label="社区/村",
        required=False,
        queryset=Division.objects.none(),
        empty_label="全部社区",
        widget=forms.Select(attrs=_attrs(SELECT, "filter-community")),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            ("", "全部季度"),
            *((p, p) for p in selectors.period_options(user)),
        ]
        if selectors.spans_communities(user):
            self.fields["community"].queryset = selectors.community_options(user)  # type: ignore[attr-defined]
        else:
            del self.fields["community"]

    def filters(self) -> selectors.TaskFilter:
        """The filters to apply; an invalid value is dropped, never an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.TaskFilter(
            rule=data.get("rule", "") or "",
            direction=data.get("direction", "") or "",
            status=data.get("status", "") or "",
            period=data.get("period", "") or "",
            community=data.get("community"),
        )

    def carried(self) -> list[tuple[str, str]]:
        """The valid filters as (name, value) pairs, for links and the export form."""
        filters = self.filters()
        pairs = [
            ("rule", filters.rule),
            ("direction", filters.direction),
            ("status", filters.status),
            ("period", filters.period),
            ("community", str(filters.community.pk) if filters.community is not None else ""),
        ]
        return [(k, v) for k, v in pairs if v]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="核查结果",
        choices=Outcome.choices,
        error_messages={"required": "请选择核查结果", "invalid_choice": "请选择核查结果"},
        widget=forms.RadioSelect(
            attrs={"class": "form-check-input", "data-testid": "outcome-choice"}
        ),
    )
    reason = forms.CharField(
        label="核查说明",
        max_length=2000,
        error_messages={"required": "请填写核查说明"},
        help_text="请写明核查方式和依据，例如：入户核实，新增车辆为亲属代持，已取得证明材料。",
        widget=forms.Textarea(attrs=_attrs(CONTROL, "outcome-reason", rows=3)),
    )

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data["reason"]).split())
        if len(reason) < MIN_REASON:
            raise forms.ValidationError(f"核查说明至少 {MIN_REASON} 个字")
        return reason


class ScreeningRunForm(forms.Form):
    period = forms.ChoiceField(
        label="筛查季度", widget=forms.Select(attrs=_attrs(SELECT, "run-period"))
    )
    engine = forms.ChoiceField(
        label="计算引擎",
        choices=[(e, ENGINE_LABELS.get(e, e)) for e in ENGINES],
        initial="duckdb",
        widget=forms.Select(attrs=_attrs(SELECT, "run-engine")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(q, q) for q in recent_quarters()]  # type: ignore[attr-defined]


def _file_input(kind: str) -> forms.ClearableFileInput:
    return forms.ClearableFileInput(
        attrs=_attrs(CONTROL, f"upload-{kind}", accept=",".join(EXTRACT_SUFFIXES))
    )


class ExtractUploadForm(forms.Form):
    """The quarter, then one optional file per department (at least one)."""

    period = forms.ChoiceField(
        label="所属季度", widget=forms.Select(attrs=_attrs("form-select", "upload-period"))
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(q, q) for q in recent_quarters()]  # type: ignore[attr-defined]
        for kind, label in KIND_LABELS.items():
            self.fields[kind] = forms.FileField(
                label=f"{label}（{kind}）", required=False, widget=_file_input(kind)
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind] for kind in KIND_LABELS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = 0
        for kind in KIND_LABELS:
            upload: UploadedFile | None = cleaned.get(kind)
            if upload is None:
                continue
            chosen += 1
            suffix = PurePath(upload.name or "").suffix.lower()
            if suffix not in EXTRACT_SUFFIXES:
                self.add_error(kind, "仅支持 .csv、.xlsx 或 .parquet 文件")
        if not chosen:
            raise forms.ValidationError("请至少选择一个部门的比对数据文件")
        return cleaned

    def files_by_kind(self) -> dict[str, Any]:
        return {kind: self.cleaned_data.get(kind) for kind in KIND_LABELS}
