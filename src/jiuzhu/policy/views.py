"""试算 page: a household typed in, or a registered one, through `trial.run_trial`.

Only the request handling lives here, so what the page does stays readable: the
forms (and where a `CaseError` goes) are in `forms`, the result's wording in
`presenters`, and assessing and auditing in `run_trial`. A household outside the
user's jurisdiction is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jiuzhu.audit.access import denied as audit_denied
from jiuzhu.audit.access import require_action
from jiuzhu.core.errors import NotFound
from jiuzhu.core.permissions import Action
from jiuzhu.domain.errors import DomainError
from jiuzhu.domain.policy import Programme
from jiuzhu.domain.policy.cases import CaseError
from jiuzhu.policy.forms import (
    MAX_MEMBERS,
    ManualForms,
    RegisteredForm,
    manual_forms,
    mark_invalid,
    place_case_error,
    quiet,
    region_parameters,
    with_one_more_member,
)
from jiuzhu.policy.presenters import result_context
from jiuzhu.policy.trial import TrialInput, TrialOutcome, run_trial
from jiuzhu.registry.selectors import visible_households

MANUAL = "manual"
REGISTERED = "registered"
REGISTERED_PREFIX = "reg"
HOUSEHOLD = "registry.Household"
#: The largest system number worth asking the database about (a 32-bit key).
MAX_PK = 2**31 - 1


def resolve_household(request: HttpRequest, text: str) -> int:
    """The system number of a household the user may see, by 家庭编号 or system number.

    Anything else — missing, or outside the jurisdiction — is the same NotFound.
    """
    found = (
        visible_households(request.user)
        .filter(household_no__iexact=text)
        .values_list("pk", flat=True)
        .first()
    )
    if found is not None:
        return int(found)
    if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_PK:
        return int(text)
    raise denied(request, text)


def denied(request: HttpRequest, object_id: object) -> NotFound:
    """Audited refusal, identical for a missing household and one out of scope."""
    return audit_denied(request, Action.POLICY_TRIAL, HOUSEHOLD, object_id, channel="page")


def _run(request: HttpRequest, trial_input: TrialInput) -> TrialOutcome:
    try:
        return run_trial(request, trial_input, channel="page")
    except NotFound:
        raise denied(request, trial_input.household_id or "") from None


def _context(
    *,
    mode: str,
    manual: ManualForms,
    registered: RegisteredForm,
    outcome: TrialOutcome | None = None,
    errors: list[str] | None = None,
    user: Any = None,
) -> dict[str, Any]:
    for member in manual.members.forms:
        mark_invalid(member)
    mark_invalid(manual.form)
    mark_invalid(registered)
    return {
        "mode": mode,
        "form": manual.form,
        "members": manual.members,
        "registered": registered,
        "max_members": MAX_MEMBERS,
        "can_add_member": manual.members.total_form_count() < MAX_MEMBERS,
        "result": None if outcome is None else result_context(outcome, user),
        "errors": errors or [],
    }


def _manual(request: HttpRequest, manual: ManualForms) -> tuple[TrialOutcome | None, list[str]]:
    if not manual.is_valid():
        return None, ["表单中有需要更正的内容，请查看标红的字段。"]
    case = manual.case(region_parameters(request.user))
    if case is None:
        return None, ["表单中有需要更正的内容，请查看标红的字段。"]
    try:
        return _run(request, TrialInput(case=case)), []
    except CaseError as exc:
        return None, [place_case_error(manual, manual.form, exc)]
    except NotFound:
        raise
    except DomainError as exc:
        return None, [exc.message]


def _registered(
    request: HttpRequest, form: RegisteredForm
) -> tuple[TrialOutcome | None, list[str]]:
    if not form.is_valid():
        return None, ["表单中有需要更正的内容，请查看标红的字段。"]
    data = form.cleaned_data
    household_id = resolve_household(request, data["household"])
    trial_input = TrialInput(
        household_id=household_id,
        programme=Programme(data["programme"]),
        as_of=data["as_of"],
        request=form.aid_request(),
    )
    try:
        return _run(request, trial_input), []
    except CaseError as exc:
        return None, [place_case_error(None, form, exc)]
    except NotFound:
        raise
    except DomainError as exc:
        return None, [exc.message]


@require_action(Action.POLICY_TRIAL)
@require_http_methods(["GET", "POST"])
def trial(request: HttpRequest) -> HttpResponse:
    """GET: the empty page (`?household=<系统编号>` fills in the registered form).
    POST: `mode` manual (with `action` run or add_member) or registered."""
    outcome: TrialOutcome | None = None
    errors: list[str] = []
    if request.method != "POST":
        prefill = request.GET.get("household", "")
        initial = {"household": prefill} if prefill.isdigit() else {}
        registered = RegisteredForm(initial=initial, prefix=REGISTERED_PREFIX)
        manual = manual_forms(None)
        mode = REGISTERED if initial else MANUAL
    elif request.POST.get("mode") == REGISTERED:
        mode = REGISTERED
        manual = manual_forms(None)
        registered = RegisteredForm(request.POST, prefix=REGISTERED_PREFIX)
        outcome, errors = _registered(request, registered)
    else:
        mode = MANUAL
        registered = RegisteredForm(prefix=REGISTERED_PREFIX)
        if request.POST.get("action") == "add_member":
            manual = manual_forms(with_one_more_member(request.POST))
            quiet(manual)
        else:
            manual = manual_forms(request.POST)
            outcome, errors = _manual(request, manual)
    context = _context(
        mode=mode,
        manual=manual,
        registered=registered,
        outcome=outcome,
        errors=errors,
        user=request.user,
    )
    return render(request, "policy/trial.html", context)
