"""Forms of the registry screens. The community choices are the user's own (scoped) ones,
so a foreign community id is just an invalid choice — its existence is never confirmed."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from jiuzhu.divisions.models import Division
from jiuzhu.registry.selectors import community_options

ALLOWED_UPLOAD_SUFFIXES = (".csv", ".xlsx")
UPLOAD_ACCEPT = ",".join(ALLOWED_UPLOAD_SUFFIXES)


class CommunityChoiceField(forms.ModelChoiceField[Division]):
    def label_from_instance(self, obj: Division) -> str:
        return obj.name


class SearchForm(forms.Form):
    q = forms.CharField(
        label="查询",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": "姓名、身份证号、住址或家庭编号",
                "class": "form-control",
                "autocomplete": "off",
                "data-testid": "search-q",
                "type": "search",
            }
        ),
    )
    community = CommunityChoiceField(
        label="社区/村",
        required=False,
        queryset=Division.objects.none(),
        empty_label="全部社区",
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "search-community"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = community_options(user)  # type: ignore[attr-defined]


class ExportForm(SearchForm):
    reason = forms.CharField(
        label="导出用途",
        required=True,
        min_length=4,
        max_length=200,
        help_text="请说明导出用途（将写入审计日志，例如：季度入户核查名单）。",
        error_messages={"required": "请填写导出用途", "min_length": "导出用途至少 4 个字"},
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control", "data-testid": "export-reason"}
        ),
    )

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data["reason"]).split())
        if len(reason) < 4:
            raise forms.ValidationError("导出用途至少 4 个字")
        return reason


def _file_input(required: bool, testid: str) -> forms.ClearableFileInput:
    return forms.ClearableFileInput(
        attrs={
            "accept": UPLOAD_ACCEPT,
            "class": "form-control",
            "data-testid": testid,
            "required": required,
        }
    )


class ImportUploadForm(forms.Form):
    divisions = forms.FileField(
        label="区划文件（可选）", required=False, widget=_file_input(False, "upload-divisions")
    )
    households = forms.FileField(
        label="家庭文件（必填）",
        error_messages={"required": "请选择家庭文件"},
        widget=_file_input(True, "upload-households"),
    )
    members = forms.FileField(
        label="成员文件（必填）",
        error_messages={"required": "请选择成员文件"},
        widget=_file_input(True, "upload-members"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("divisions", "households", "members"):
            upload: UploadedFile | None = cleaned.get(name)
            if upload is None:
                continue
            suffix = PurePath(upload.name or "").suffix.lower()
            if suffix not in ALLOWED_UPLOAD_SUFFIXES:
                self.add_error(name, "仅支持 .csv 或 .xlsx 文件")
        return cleaned
