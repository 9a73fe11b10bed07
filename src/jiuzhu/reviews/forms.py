"""Forms of the 民主评议 screens. They check shape only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from jiuzhu.divisions.models import Division
from jiuzhu.reviews.models import MemberRole

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _text_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class CommunityChoiceField(forms.ModelChoiceField[Division]):
    def label_from_instance(self, obj: Division) -> str:
        return obj.name


class MeetingOpenForm(forms.Form):
    community = CommunityChoiceField(
        label="社区/村",
        queryset=Division.objects.none(),
        empty_label="请选择",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    held_on = forms.DateField(label="评议日期", widget=DATE_INPUT)
    place = forms.CharField(label="评议地点", max_length=100, widget=_text_input())
    chair = forms.CharField(label="主持人", max_length=50, required=False, widget=_text_input())

    def __init__(self, *args: Any, communities: QuerySet[Division], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities


def recordings_to_text(entries: list[dict[str, str]]) -> str:
    lines = []
    for entry in entries:
        file, digest = entry.get("file", ""), entry.get("hash", "")
        lines.append(f"{file} | {digest}" if digest else file)
    return "\n".join(lines)


def recordings_from_text(text: str) -> list[dict[str, str]]:
    """One file a line: `文件名或路径` or `文件名或路径 | 哈希值`."""
    entries = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        file, _, digest = line.rpartition("|") if "|" in line else (line, "", "")
        entries.append({"file": file.strip(), "hash": digest.strip()})
    return entries


class MeetingEditForm(forms.Form):
    held_on = forms.DateField(label="评议日期", widget=DATE_INPUT)
    place = forms.CharField(label="评议地点", max_length=100, widget=_text_input())
    chair = forms.CharField(label="主持人", max_length=50, required=False, widget=_text_input())
    minutes = forms.CharField(
        label="会议记录",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 8}),
        help_text="评议过程、主要意见和表决情况；不要写入身份证号、银行账号等敏感信息。",
    )
    recordings = forms.CharField(
        label="录音录像存档",
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 3}),
        help_text="每行一个文件：文件名或存放路径，可在竖线“|”后写哈希值（SM3 或 SHA-256，64 位十六进制）。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PanelMemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, widget=_text_input(autocomplete="off"))
    role = forms.ChoiceField(
        label="身份",
        choices=[("", "请选择"), *MemberRole.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
