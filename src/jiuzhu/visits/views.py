"""Home visit screens, phone first: one page with a card per step, each saved on its own.

With htmx a section is posted in place and comes back with the completion
panel (out of band); without it the same POST redirects back to the page.
Every view: login required; a user who does not record visits, a case or a
visit outside the jurisdiction and a missing one are the same audited 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.audit.access import denied
from jiuzhu.audit.services import audit_record
from jiuzhu.casework.models import Case
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.domain.casework.workflow import workflow_for
from jiuzhu.registry.models import Member
from jiuzhu.visits import services
from jiuzhu.visits.forms import (
    AttachmentForm,
    IncomeSection,
    NotesForm,
    SignaturesForm,
    VisitorsForm,
)
from jiuzhu.visits.models import STEP_LABELS, STEPS, HomeVisit

CASE = "casework.Case"
NUMBERS = {"housing": "一", "assets": "二", "income": "三", "neighbours": "四"}
NOTES_STEPS = ("housing", "assets", "neighbours")


def _denied(request: HttpRequest, object_type: str, object_id: object) -> NotFound:
    return denied(request, "visit.access", object_type, object_id)


def _case(request: HttpRequest, pk: int) -> Case:
    try:
        return services.visit_case(request.user, pk)
    except NotFound:
        raise _denied(request, CASE, pk) from None


def _visit(request: HttpRequest, pk: int) -> HomeVisit:
    try:
        return services.visit_get(request.user, pk)
    except NotFound:
        raise _denied(request, services.VISIT, pk) from None


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _state_label(case: Case) -> str:
    return workflow_for(case.programme).state(case.state).label


def _case_facts(case: Case) -> dict[str, Any]:
    household = case.household
    return {
        "id": case.pk,
        "case_no": case.case_no,
        "programme": case.get_programme_display(),
        "state": _state_label(case),
        "household_no": household.household_no,
        "community": household.community.name,
        "address": household.address,
    }


# -- the edit page -----------------------------------------------------------------------


def _bound(request: HttpRequest, visit: HomeVisit, step: str, members: list[Member]) -> Any:
    data = request.POST
    if step == "visitors":
        return VisitorsForm(data, candidates=services.visitor_candidates(visit.case))
    if step == "income":
        return IncomeSection(visit, members, data)
    if step == "signatures":
        return SignaturesForm(data, visit=visit, prefix="sig")
    return NotesForm(data, step=step, prefix=step)


def _unbound(visit: HomeVisit, step: str, members: list[Member]) -> Any:
    if step == "visitors":
        return VisitorsForm(
            initial=VisitorsForm.initial_for(visit),
            candidates=services.visitor_candidates(visit.case),
        )
    if step == "income":
        return IncomeSection(visit, members)
    if step == "signatures":
        return SignaturesForm(
            visit=visit,
            prefix="sig",
            initial={
                "family_signatory": visit.family_signatory,
                "family_signed": visit.family_signed,
            },
        )
    return NotesForm(step=step, prefix=step, initial={"notes": visit.notes(step)})


def _section(
    visit: HomeVisit,
    step: str,
    form: Any,
    *,
    errors: list[str] | None = None,
    saved: bool = False,
) -> dict[str, Any]:
    if step in STEPS:
        title = f"{NUMBERS[step]}、{STEP_LABELS[step]}"
        done = bool(visit.notes(step).strip())
        badge = "已填写" if done else "未填写"
    elif step == "visitors":
        title = "调查日期和调查人员"
        count = visit.visitors.count()
        done = count >= services.MIN_VISITORS
        badge = f"{count} 名调查人员"
    else:
        title = "签字确认"
        visitors = list(visit.visitors.all())
        done = bool(visitors) and all(v.signed for v in visitors) and visit.family_signed
        badge = "已全部签字" if done else "待签字"
    return {
        "step": step,
        "title": title,
        "label": STEP_LABELS.get(step, title),
        "form": form,
        "badge": badge,
        "badge_class": "text-bg-success" if done else "text-bg-warning",
        "errors": errors or [],
        "saved": saved,
        "template": f"visits/_{'notes' if step in NOTES_STEPS else step}.html",
    }


def _completion(visit: HomeVisit) -> dict[str, Any]:
    return {"problems": [message for _, message in services.missing_for_completion(visit)]}


def _page_context(
    visit: HomeVisit, *, overrides: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    members = services.current_members(visit.case)
    sections = {
        step: _section(visit, step, _unbound(visit, step, members)) for step in services.SECTIONS
    }
    sections.update(overrides or {})
    return {
        "visit": visit,
        "case": _case_facts(visit.case),
        "case_pk": visit.case_id,
        "sections": sections,
        "visitors": list(visit.visitors.all()),
        "attachments": list(visit.attachments.all()),
        "attachment_form": AttachmentForm(),
        "completion": _completion(visit),
    }


def _render_page(request: HttpRequest, visit: HomeVisit, **kwargs: Any) -> HttpResponse:
    status = kwargs.pop("status", 200)
    return render(request, "visits/visit_edit.html", _page_context(visit, **kwargs), status=status)


def _render_section(
    request: HttpRequest, visit: HomeVisit, section: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"visit": visit, "section": section, "completion": _completion(visit), "oob": True}
    html = render_to_string(section["template"], context, request=request)
    html += render_to_string("visits/_complete.html", context, request=request)
    if section["step"] == "visitors" and not section["errors"]:
        # Who signs follows who went: the signatures card is replaced too.
        members = services.current_members(visit.case)
        signatures = _section(visit, "signatures", _unbound(visit, "signatures", members))
        html += render_to_string(
            signatures["template"],
            {"visit": visit, "section": signatures, "section_oob": True},
            request=request,
        )
    return HttpResponse(html, status=status)


def _save_section(request: HttpRequest, visit: HomeVisit, step: str) -> HttpResponse:
    members = services.current_members(visit.case)
    form = _bound(request, visit, step, members)
    errors: list[str] = []
    if not form.is_valid():
        errors = ["请更正标红的内容后再保存"]
    else:
        try:
            visit = services.save_step(
                actor=request.user,
                visit_id=visit.pk,
                step=step,
                data=form.data_for_service()
                if hasattr(form, "data_for_service")
                else form.cleaned_data,
                http_request=request,
            )
        except NotFound:
            raise
        except ServiceError as exc:
            errors = [exc.message]
    if errors:
        section = _section(visit, step, form, errors=errors)
        if _is_htmx(request):
            return _render_section(request, visit, section, status=200)
        return _render_page(request, visit, overrides={step: section}, status=400)
    visit = services.visit_get(request.user, visit.pk)
    if _is_htmx(request):
        members = services.current_members(visit.case)
        section = _section(visit, step, _unbound(visit, step, members), saved=True)
        return _render_section(request, visit, section)
    label = STEP_LABELS.get(step) or {"visitors": "调查人员", "signatures": "签字确认"}[step]
    messages.success(request, f"「{label}」已保存")
    return redirect(reverse("visits:visit_edit", args=[visit.pk]) + f"#section-{step}")


def _attachment_post(request: HttpRequest, visit: HomeVisit) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    target = reverse("visits:visit_edit", args=[visit.pk]) + "#section-attachments"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(target)
    try:
        services.add_attachment(
            actor=request.user,
            visit_id=visit.pk,
            upload=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
            http_request=request,
        )
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "附件已上传")
    return redirect(target)


def _attachment_remove(request: HttpRequest, visit: HomeVisit) -> HttpResponse:
    raw = request.POST.get("attachment", "")
    if not raw.isdigit() or not visit.attachments.filter(pk=int(raw)).exists():
        raise _denied(request, services.ATTACHMENT, raw if raw.isdigit() else "")
    try:
        services.remove_attachment(actor=request.user, attachment_id=int(raw), http_request=request)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "附件已删除")
    return redirect(reverse("visits:visit_edit", args=[visit.pk]) + "#section-attachments")


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the case's visits and a button to start one. POST: start (or reopen the draft)."""
    case = _case(request, pk)
    if request.method == "POST":
        try:
            visit = services.start_visit(actor=request.user, case_id=case.pk, http_request=request)
        except NotFound:
            raise _denied(request, CASE, pk) from None
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("visits:visit_new", pk=case.pk)
        return redirect("visits:visit_edit", pk=visit.pk)
    audit_record(action="visit.list", request=request, object_type=CASE, object_id=case.pk)
    visits = services.visits_of(case)
    context = {
        "case": _case_facts(case),
        "case_pk": case.pk,
        "visits": visits,
        "draft": next((v for v in visits if v.is_draft), None),
        "can_start": not workflow_for(case.programme).state(case.state).final,
    }
    return render(request, "visits/visit_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    if request.method == "GET":
        audit_record(action="visit.view", request=request, object_type=services.VISIT, object_id=pk)
        if not visit.is_draft:
            return render(request, "visits/visit_detail.html", _detail_context(visit))
        return _render_page(request, visit)
    if not visit.is_draft:
        messages.error(request, "该入户调查已完成，不能再修改")
        return redirect("visits:visit_edit", pk=visit.pk)
    step = request.POST.get("step", "")
    if step == "attachment":
        return _attachment_post(request, visit)
    if step == "attachment_remove":
        return _attachment_remove(request, visit)
    if step not in services.SECTIONS:
        messages.error(request, "未知的调查步骤")
        return redirect("visits:visit_edit", pk=visit.pk)
    return _save_section(request, visit, step)


def _detail_context(visit: HomeVisit) -> dict[str, Any]:
    return {
        "visit": visit,
        "case": _case_facts(visit.case),
        "case_pk": visit.case_id,
        "steps": [(NUMBERS[step], STEP_LABELS[step], visit.notes(step)) for step in STEPS],
        "visitors": list(visit.visitors.all()),
        "incomes": list(visit.incomes.select_related("member")),
        "expenses": list(visit.expenses.select_related("member")),
        "attachments": list(visit.attachments.all()),
    }


@login_required
@require_POST
def visit_complete(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    raw = request.POST.get("version", "")
    try:
        services.complete_visit(
            actor=request.user,
            visit_id=visit.pk,
            expected_version=int(raw) if raw.isdigit() else None,
            http_request=request,
        )
    except NotFound:
        raise _denied(request, services.VISIT, pk) from None
    except services.VisitRefused as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect(reverse("visits:visit_edit", args=[visit.pk]) + "#section-complete")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("visits:visit_edit", args=[visit.pk]) + "#section-complete")
    messages.success(request, "入户调查已完成，调查核实的收入已记入家庭收入（与申报收入分开保存）")
    return redirect("visits:visit_edit", pk=visit.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The file itself, to a user who may see the visit; audited, never cached."""
    try:
        found = services.attachment_get(request.user, pk)
    except NotFound:
        raise _denied(request, services.ATTACHMENT, pk) from None
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise _denied(request, services.ATTACHMENT, pk) from None
    services.record_download(found, actor=request.user, http_request=request)
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"入户调查附件{found.pk}{extension.get(found.content_type, '')}",
        content_type=found.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
