"""Casework screens: intake (受理), the case page with its workflow buttons, the worklists.

Every view: login required; only the roles a workflow names (救助专干, 社区工作人员,
县级审批人) get past the gate, and a case outside the user's jurisdiction is the
same 404 as a missing one (`services.case_get`). The buttons post the case's
`version`: a page left open while someone else acted gets a message, not a
second decision. Steps answer with a redirect (post/redirect/get) and say what
happened through the messages framework.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.audit.access import denied
from jiuzhu.audit.services import audit_record
from jiuzhu.casework import presenters, selectors, services
from jiuzhu.casework.forms import (
    NEW,
    ExportForm,
    IntakeForm,
    NewHouseholdForms,
    RecordForm,
    StepForm,
    VersionForm,
    WorklistForm,
    household_kind,
    new_household_forms,
    with_one_more_member,
)
from jiuzhu.casework.models import Case
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.core.workdays import working_calendar
from jiuzhu.domain.casework.workflow import workflow_for
from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.policy.vocabulary import OUTCOME_LABELS
from jiuzhu.policy.forms import mark_invalid
from jiuzhu.registry.services import MAX_MEMBERS, HouseholdRefused, register_household

PAGE_SIZE = 50
CASE = "casework.Case"
HOUSEHOLD = "registry.Household"
#: Prerequisites this screen records by hand until their own screens exist.
RECORDABLE_HERE = {"data_check": "数据核对报告", "county_check": "县级入户抽查"}
#: The filters a worklist link carries along (tab and page are set per link).
FILTER_KEYS = ("programme", "state", "community", "sort", "days")


def gate(request: HttpRequest, roles: frozenset[str] | None = None) -> None:
    """NotFound (audited) unless the signed-in user has a role the screen is for."""
    allowed = roles if roles is not None else selectors.casework_roles()
    user = request.user
    if getattr(user, "is_active", False) and getattr(user, "role", "") in allowed:
        return
    audit_record(
        action="casework.access",
        result="denied",
        request=request,
        details={"reason": "no_permission", "path": request.path},
    )
    raise NotFound()


def scoped_case(request: HttpRequest, pk: int, action: str = "case.view") -> Case:
    try:
        return services.case_get(request.user, pk)
    except NotFound:
        raise denied(request, action, CASE, pk) from None


def to_case(pk: int) -> HttpResponseRedirect:
    return redirect("casework:case_detail", pk=pk)


# -- intake ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """受理: GET the form (`?household=<系统编号>` picks the household), POST opens the case —
    for a registered household, or for a new one registered in the same transaction
    (`action=add_member` only adds a member row to the new household and shows the form again)."""
    gate(request, selectors.INTAKE_ROLES)
    user = request.user
    if request.method != "POST":
        initial: dict[str, Any] = {}
        wanted = request.GET.get("household", "").strip()
        if wanted:
            household = selectors.resolve_household(user, wanted) if wanted.isdigit() else None
            if household is None:
                raise denied(request, "case.open", HOUSEHOLD, wanted)
            initial["household"] = household.household_no
        form = IntakeForm(initial=initial, user=user)
        return _intake_page(request, form, new_household_forms(None, user=user))
    if request.POST.get("action") == "add_member":
        grown = with_one_more_member(request.POST)
        form = IntakeForm(grown, user=user)
        new = new_household_forms(grown, user=user)
        form.errors.clear()
        new.quiet()
        return _intake_page(request, form, new)
    form = IntakeForm(request.POST, user=user)
    if household_kind(request.POST) == NEW:
        new = new_household_forms(request.POST, user=user)
        form_ok = form.is_valid()
        if new.is_valid() and form_ok:
            case = _open_for_new_household(request, form, new)
            if case is not None:
                return to_case(case.pk)
        return _intake_page(request, form, new)
    if form.is_valid():
        data = form.cleaned_data
        household = selectors.resolve_household(user, data["household"])
        if household is None:
            form.add_error("household", "未找到该家庭，或该家庭不在您的辖区内")
        else:
            try:
                case = services.open_case(
                    actor=user, household_id=household.pk, **_case_arguments(form, request)
                )
            except NotFound:
                form.add_error("household", "未找到该家庭，或该家庭不在您的辖区内")
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已受理，申请编号 {case.case_no}。")
                return to_case(case.pk)
    return _intake_page(request, form, new_household_forms(None, user=user))


def _case_arguments(form: IntakeForm, request: HttpRequest) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "programme": data["programme"],
        "channel": data["channel"],
        "commitment_signed": data["commitment_signed"],
        "data_check_authorised": data["data_check_authorised"],
        "proxy_worker": data.get("proxy_worker") if data["channel"] == "proxy" else None,
        "missing_materials": data["missing_materials"],
        "staff_relative": data["staff_relative"],
        "staff_relative_note": data["staff_relative_note"],
        "request_data": form.request_data(),
        "http_request": request,
    }


def _open_for_new_household(
    request: HttpRequest, form: IntakeForm, new: NewHouseholdForms
) -> Case | None:
    """Register the household and open its case in ONE transaction: a refused case leaves
    no household behind. None (with the errors on the forms) when either is refused."""
    place = new.form.cleaned_data
    try:
        with transaction.atomic():
            household = register_household(
                actor=request.user,
                community_id=place["community"].pk,
                grid_id=place["grid"].pk if place.get("grid") is not None else None,
                address=place["address"],
                members=new.new_members(),
                http_request=request,
            )
            case = services.open_case(
                actor=request.user, household_id=household.pk, **_case_arguments(form, request)
            )
    except HouseholdRefused as exc:
        new.place(exc)
        return None
    except NotFound:
        new.form.add_error("community", "所选社区/村不在您的辖区内")
        return None
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(
        request,
        f"已登记新家庭（家庭编号 {household.household_no}）并受理，申请编号 {case.case_no}。",
    )
    return case


def _intake_page(request: HttpRequest, form: IntakeForm, new: NewHouseholdForms) -> HttpResponse:
    for marked in [form, *new.invalid_marks()]:
        mark_invalid(marked)
    context = {
        "form": form,
        "new_household": new.form,
        "members": new.members,
        "is_new": household_kind(form.data if form.is_bound else None) == NEW,
        "can_add_member": new.can_add_member(),
        "max_members": MAX_MEMBERS,
        "new_errors": new.has_errors(),
    }
    return render(request, "casework/case_new.html", context)


# -- the case page -----------------------------------------------------------------


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gate(request)
    case = scoped_case(request, pk)
    user = request.user
    role = getattr(user, "role", "")
    workflow = workflow_for(case.programme)
    state = workflow.state(case.state)
    today = clock.today()
    calendar = working_calendar()
    household = case.household
    head = selectors.household_head(household)
    on_file = services.on_file_now(case, today)
    actions = [] if state.final else workflow.available(case.state, role)
    buttons = presenters.action_buttons(
        actions, on_file=on_file, user_id=user.pk, preparer_id=case.preparer_id
    )
    needed = {need for action in actions for need in action.requires}
    events = selectors.case_events(case)
    audit_record(action="case.view", request=request, object_type=CASE, object_id=case.pk)
    context = {
        "case": presenters.case_facts(case),
        "programme": workflow.label,
        "state": state,
        "deadline": presenters.case_deadline(case, workflow, today, calendar),
        "preparer": presenters.user_label(case.preparer) if case.preparer_id else "",
        "household": presenters.household_summary(
            user, household, head, selectors.member_count(household, today)
        ),
        "assessment": presenters.assessment_summary(case),
        "can_assess": role in selectors.ASSESS_ROLES and not state.final,
        "on_file": presenters.on_file_rows(on_file),
        "buttons": buttons,
        "can_record_data_check": role in selectors.RECORD_ROLES
        and not state.final
        and "data_check" not in on_file,
        "can_record_county_check": role == "county_approver"
        and case.spot_check
        and not state.final
        and "county_check" not in on_file,
        "spot_check_reason": case.spot_check_reason if case.spot_check else "",
        "enrolment": presenters.enrolment(case, household) if state.final else None,
        "visit_url": presenters.case_url("visits:visit_new", case.pk)
        if "home_visit" in needed
        else "",
        "review_url": presenters.optional_url("reviews:meeting_list")
        if "democratic_review_quorum" in needed
        else "",
        "documents": presenters.document_links(
            case.pk, presenters.document_kinds(case, on_file, {e.action for e in events})
        ),
        "events": [presenters.event_row(e, workflow) for e in events],
    }
    return render(request, "casework/case_detail.html", context)


def _posted(form: StepForm | RecordForm | VersionForm, request: HttpRequest) -> bool:
    if form.is_valid():
        return True
    if "reason" in form.errors:
        messages.error(request, str(form.errors["reason"][0]))
    else:
        messages.error(request, "提交的内容不完整，请刷新页面后重试。")
    return False


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One workflow step from a button of the case page."""
    gate(request)
    case = scoped_case(request, pk, "case.act")
    form = StepForm(request.POST)
    if not _posted(form, request):
        return to_case(case.pk)
    data = form.cleaned_data
    workflow = workflow_for(case.programme)
    try:
        case = services.perform(
            actor=request.user,
            case_id=case.pk,
            action=data["action"],
            reason=data.get("reason") or "",
            expected_version=data["version"],
            http_request=request,
        )
    except NotFound:
        raise denied(request, "case.act", CASE, pk) from None
    except DomainError as exc:  # refused by the workflow, or a stale page
        messages.error(request, exc.message)
    else:
        label = workflow.action(data["action"]).label
        messages.success(
            request, f"已办理“{label}”，当前环节：{workflow.state(case.state).label}。"
        )
    return to_case(case.pk)


@login_required
@require_POST
def case_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """(Re)run the policy engine on the household as registered today."""
    gate(request, selectors.ASSESS_ROLES)
    case = scoped_case(request, pk, "case.assess")
    form = VersionForm(request.POST)
    if not _posted(form, request):
        return to_case(case.pk)
    try:
        case = services.assess_case(
            actor=request.user,
            case_id=case.pk,
            http_request=request,
            expected_version=form.cleaned_data["version"],
        )
    except NotFound:
        raise denied(request, "case.assess", CASE, pk) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        outcome = (case.assessment_result or {}).get("outcome", "")
        messages.success(request, f"已完成政策测算：{OUTCOME_LABELS.get(outcome, '已测算')}。")
    return to_case(case.pk)


@login_required
@require_POST
def case_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a prerequisite by hand: the data check report, or the county's spot check
    (the service decides who may record which)."""
    gate(request)
    case = scoped_case(request, pk, "case.record")
    form = RecordForm(request.POST)
    if not _posted(form, request):
        return to_case(case.pk)
    requirement = form.cleaned_data["requirement"]
    if requirement not in RECORDABLE_HERE:
        messages.error(request, "该前提须在对应的办理页面登记。")
        return to_case(case.pk)
    try:
        services.record_on_file(
            actor=request.user,
            case_id=case.pk,
            requirement=requirement,
            http_request=request,
            expected_version=form.cleaned_data["version"],
        )
    except NotFound:
        raise denied(request, "case.record", CASE, pk) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已登记：{RECORDABLE_HERE[requirement]}。")
    return to_case(case.pk)


# -- worklists ---------------------------------------------------------------------


def carried_filters(data: Any) -> list[tuple[str, str]]:
    """The filters of the current list, for links and the export form (no personal data)."""
    return [(key, str(data[key])[:20]) for key in FILTER_KEYS if data.get(key)]


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    gate(request)
    user = request.user
    form = WorklistForm(request.GET, user=user)
    filters = form.filters()
    today = clock.today()
    calendar = working_calendar()
    counts = selectors.tab_counts(user, filters, today=today, calendar=calendar)
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "counts": counts,
        "query": urlencode(carried_filters(request.GET)),
        "carried": carried_filters(request.GET),
        "export_form": ExportForm(),
        "can_open": getattr(user, "role", "") in selectors.INTAKE_ROLES,
        "page": None,
        "rows": [],
    }
    if filters.tab == selectors.TAB_SUMMARY:
        base = selectors.filtered_cases(user, filters)
        context["states"] = selectors.state_summary(base)
        context["actors"] = selectors.actor_summary(base)
    else:
        cases = selectors.worklist(user, filters, today=today, calendar=calendar)
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["rows"] = [
            presenters.worklist_row(
                user, case, workflow_for(case.programme), today=today, calendar=calendar
            )
            for case in page.object_list
        ]
    audit_record(
        action="case.list",
        request=request,
        object_type=CASE,
        details={
            "tab": filters.tab,
            "programme": filters.programme,
            "state": filters.state,
            "community": filters.community.code if filters.community is not None else "",
        },
    )
    return render(request, "casework/worklist.html", context)


@login_required
@require_POST
def worklist_export(request: HttpRequest) -> HttpResponse:
    """The current filtered list as an Excel workbook (a reason is asked for and audited)."""
    from jiuzhu.casework.exports import export_response

    gate(request)
    filters = WorklistForm(request.POST, user=request.user).filters()
    form = ExportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"未导出：{error}")
        query = urlencode([("tab", filters.tab), *carried_filters(request.POST)])
        return redirect(f"{reverse('casework:worklist')}?{query}")
    return export_response(request, filters, form.cleaned_data["reason"])
