"""The form of the parameter screen: a new dated value proposed by a county approver.

The form only checks that the fields are present and well-formed; whether the
value fits the parameter, the date is not in the past and nothing is pending
for the same date is the service's decision (`services.propose_change`), whose
Chinese refusal is shown on the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jiuzhu.domain.policy.catalog import Kind, ParameterSpec
from jiuzhu.domain.policy.parameters import ParameterValue, dump_value, expected_text

#: What to show as an example when the parameter has no value in force yet.
_FALLBACK_EXAMPLE: dict[Kind, str] = {
    Kind.MONEY: "1000.00",
    Kind.INTEGER: "12",
    Kind.RATIO: "0.5",
    Kind.OPTIONAL_RATIO: "0.5",
    Kind.BOOLEAN: "true",
    Kind.RATIO_LIST: "[1, 0.5]",
}


def value_text(spec: ParameterSpec, value: object) -> str:
    """A value written as it is typed in the form (YAML): `950.00`, `1/3`, `{A: 3, B: 6}`."""
    dumped = dump_value(spec, value)
    return _yaml_scalar_or_flow(dumped)


def _yaml_scalar_or_flow(dumped: Any) -> str:
    if dumped is None:
        return "null"
    if isinstance(dumped, bool):
        return "true" if dumped else "false"
    if isinstance(dumped, dict):
        return "{" + ", ".join(f"{k}: {_yaml_scalar_or_flow(v)}" for k, v in dumped.items()) + "}"
    if isinstance(dumped, list | tuple):
        return "[" + ", ".join(_yaml_scalar_or_flow(v) for v in dumped) + "]"
    return str(dumped)


def example_text(spec: ParameterSpec, current: ParameterValue | None) -> str:
    """The value in force written as input, else a made-up value of the right shape."""
    if current is not None:
        return value_text(spec, current.value)
    if spec.kind is Kind.CHOICE:
        return spec.choices[0] if spec.choices else ""
    if spec.kind in (Kind.RATIO_MAP, Kind.INTEGER_MAP):
        item = "0.5" if spec.kind is Kind.RATIO_MAP else "1"
        return "{" + ", ".join(f"{key}: {item}" for key in spec.keys) + "}"
    return _FALLBACK_EXAMPLE.get(spec.kind, "")


class ParameterChangeForm(forms.Form):
    effective_from = forms.DateField(
        label="生效日期",
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "请填写生效日期",
            "invalid": "生效日期格式不正确，应为 YYYY-MM-DD",
        },
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"type": "date", "class": "form-control", "data-testid": "change-effective-from"},
        ),
    )
    value = forms.CharField(
        label="新取值",
        max_length=500,
        error_messages={"required": "请填写新取值", "max_length": "取值过长（最多 500 个字符）"},
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "data-testid": "change-value"}
        ),
    )
    source = forms.CharField(
        label="依据（文件名称、文号）",
        max_length=300,
        error_messages={
            "required": "请填写依据，例如文件名称和文号",
            "max_length": "依据过长（最多 300 个字符）",
        },
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": "例如：某县民政局 某民发〔2026〕12号",
                "data-testid": "change-source",
            }
        ),
    )
    reason = forms.CharField(
        label="调整说明",
        required=False,
        max_length=500,
        error_messages={"max_length": "调整说明过长（最多 500 个字符）"},
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 2, "data-testid": "change-reason"}
        ),
    )

    def __init__(
        self,
        *args: Any,
        spec: ParameterSpec,
        today: dt.date,
        current: ParameterValue | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        example = example_text(spec, current)
        unit = f"，单位：{spec.unit}" if spec.unit else ""
        value_field = self.fields["value"]
        value_field.help_text = f"应为{expected_text(spec)}{unit}。例如：{example}"
        value_field.widget.attrs["placeholder"] = example
        date_field = self.fields["effective_from"]
        date_field.help_text = "不早于今天；已经生效的取值不可追溯修改。"
        date_field.widget.attrs["min"] = today.isoformat()
        if not self.is_bound:
            self.initial.setdefault("effective_from", today)
