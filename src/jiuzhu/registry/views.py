"""Registry screens: search, detail, audited reveal, export, roster import.

Every view: login required; a missing permission and anything outside the
user's jurisdiction are the same 404 (NotFound), so nothing confirms that a
record exists. Reads go through `jiuzhu.registry.selectors` (scoped), display
through `jiuzhu.registry.presenters` (masked per role).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.audit.access import check_action, denied
from jiuzhu.audit.services import audit_record
from jiuzhu.core import clock
from jiuzhu.core.errors import NotFound, ServiceError
from jiuzhu.core.permissions import Action, SensitiveField, Visibility, can, visibility
from jiuzhu.domain.masking import mask
from jiuzhu.registry import presenters, selectors
from jiuzhu.registry.forms import ExportForm, ImportUploadForm, SearchForm
from jiuzhu.registry.imports import PHASE_WRITE
from jiuzhu.registry.models import Household, ImportBatch, ImportStatus, Member

PAGE_SIZE = 20
HOUSEHOLD = "registry.Household"
IMPORT_BATCH = "registry.ImportBatch"
FINISHED_STATUSES = frozenset({ImportStatus.SUCCEEDED, ImportStatus.NOOP, ImportStatus.FAILED})
MAX_REJECTS_SHOWN = 500
BAR_COLORS: dict[str, str] = {
    ImportStatus.SUCCEEDED: "#198754",
    ImportStatus.NOOP: "#6c757d",
    ImportStatus.FAILED: "#dc3545",
}


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(int(value or default), 1)
    except (TypeError, ValueError):
        return default


def run_search(
    request: HttpRequest, form: SearchForm, *, channel: str
) -> tuple[str, QuerySet[Household]]:
    """The scoped search behind the page, the API and the export; audited without the query text."""
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    community = form.cleaned_data.get("community") if form.is_valid() else None
    if not form.is_valid():
        query, households = selectors.classify_query(None), Household.objects.none()
    else:
        query, households = selectors.household_search(request.user, q, community)
    audit_record(
        action=str(Action.HOUSEHOLD_SEARCH),
        request=request,
        object_type=HOUSEHOLD,
        details={
            "kind": query.kind,
            "community": community.code if community is not None else "",
            "channel": channel,
            "valid": form.is_valid(),
        },
    )
    return query.kind, households


def paginate(request: HttpRequest, households: QuerySet[Household]) -> Page[Household]:
    return Paginator(households, PAGE_SIZE).get_page(_int(request.GET.get("page")))


@login_required
@require_http_methods(["GET", "POST"])
def household_search(request: HttpRequest) -> HttpResponse:
    """Search households. The query text travels in a POST body, never in the URL
    (security.md §D.20: no personal data in URLs); a plain GET lists the jurisdiction,
    optionally narrowed to a community."""
    check_action(request, Action.HOUSEHOLD_SEARCH)
    data = request.POST if request.method == "POST" else request.GET
    form = SearchForm(data, user=request.user)
    kind, households = run_search(request, form, channel="page")
    page = Paginator(households, PAGE_SIZE).get_page(_int(data.get("page")))
    rows = [presenters.household_row(request.user, h) for h in page.object_list]
    cleaned = form.cleaned_data if form.is_valid() else {}
    community = cleaned.get("community")
    can_export = can(request.user, Action.HOUSEHOLD_EXPORT)
    q = cleaned.get("q", "")
    id_query_masked = ""
    if kind == selectors.QueryKind.ID_NUMBER:
        # Never echo a typed ID number back into the page (not even in a hidden field):
        # show it masked. The export button is left out; the export form takes the ID itself.
        id_query_masked = mask("id_number", q, level=presenters.mask_level(request.user))
        form = SearchForm(
            {"community": community.pk if community is not None else ""}, user=request.user
        )
        form.is_valid()
        q = ""
        can_export = False
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "rows": rows,
        "query_kind": kind,
        "id_query_masked": id_query_masked,
        "q": q,
        "community_id": community.pk if community is not None else "",
        "can_export": can_export,
    }
    template = "registry/household_search.html"
    if is_htmx(request):
        template += "#results"
    return render(request, template, context)


@login_required
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check_action(request, Action.HOUSEHOLD_VIEW)
    try:
        detail = selectors.household_detail(request.user, pk)
    except NotFound:
        raise denied(request, Action.HOUSEHOLD_VIEW, HOUSEHOLD, pk) from None
    user = request.user
    today = clock.today()
    audit_record(
        action=str(Action.HOUSEHOLD_VIEW), request=request, object_type=HOUSEHOLD, object_id=pk
    )
    context = {
        "household": presenters.household_facts(user, detail.household),
        "members": [presenters.member_row(user, m, today) for m in detail.members],
        "incomes": [presenters.income_row(user, i) for i in detail.incomes],
        "assets": [presenters.asset_row(user, a) for a in detail.assets],
        "expenses": presenters.expense_rows(user, detail.expenses),
        "revisions": [presenters.revision_row(r) for r in detail.revisions],
        "today": today,
        "can_reveal": any(visibility(user, f) is Visibility.REVEAL for f in SensitiveField),
    }
    return render(request, "registry/household_detail.html", context)


def _reveal_field(field: str, allowed: frozenset[SensitiveField]) -> SensitiveField:
    try:
        sensitive = SensitiveField(field)
    except ValueError:
        raise NotFound() from None
    if sensitive not in allowed:
        raise NotFound()
    return sensitive


def _reveal(
    request: HttpRequest,
    pk: int,
    sensitive: SensitiveField,
    *,
    household: Household,
    member: Member | None = None,
) -> HttpResponse:
    """The clear value, only for REVEAL; audited with the field name, never the value."""
    if visibility(request.user, sensitive) is not Visibility.REVEAL:
        raise denied(request, Action.HOUSEHOLD_VIEW, HOUSEHOLD, pk)
    details: dict[str, Any] = {"field": sensitive.value}
    if member is not None:
        details["member"] = member.pk
    audit_record(
        action="household.reveal",
        request=request,
        object_type=HOUSEHOLD,
        object_id=pk,
        details=details,
    )
    value = presenters.clear_value(sensitive, household=household, member=member)
    context = {"field": sensitive.value, "value": value, "household_id": pk}
    template = "registry/reveal_value.html" if is_htmx(request) else "registry/reveal_page.html"
    return render(request, template, context)


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int, member_id: int, field: str) -> HttpResponse:
    """One member's ID number, phone or health details in full."""
    check_action(request, Action.HOUSEHOLD_VIEW)
    sensitive = _reveal_field(field, presenters.MEMBER_REVEAL_FIELDS)
    try:
        household, member = selectors.member_get(request.user, pk, member_id)
    except NotFound:
        raise denied(request, Action.HOUSEHOLD_VIEW, HOUSEHOLD, pk) from None
    return _reveal(request, pk, sensitive, household=household, member=member)


@login_required
@require_POST
def household_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The household's bank account in full; same rules as a member field."""
    check_action(request, Action.HOUSEHOLD_VIEW)
    sensitive = _reveal_field(field, presenters.HOUSEHOLD_REVEAL_FIELDS)
    try:
        household = selectors.household_get(request.user, pk)
    except NotFound:
        raise denied(request, Action.HOUSEHOLD_VIEW, HOUSEHOLD, pk) from None
    return _reveal(request, pk, sensitive, household=household)


@login_required
@require_http_methods(["GET", "POST"])
def household_export(request: HttpRequest) -> HttpResponseBase:
    """Ask for a reason, then send the user's (scoped, masked) search results as CSV."""
    from jiuzhu.registry.exports import export_response

    check_action(request, Action.HOUSEHOLD_EXPORT)
    if request.method == "POST" and request.POST.get("step") != "prepare":
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid():
            return export_response(request, form)
    else:
        # Coming from the search page (a POST, so the query never sits in a URL) or a plain GET.
        data = request.POST if request.method == "POST" else request.GET
        initial = {"q": data.get("q", "")[:100], "community": data.get("community", "")}
        form = ExportForm(initial=initial, user=request.user)
    return render(request, "registry/export_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    check_action(request, Action.ROSTER_IMPORT)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            from jiuzhu.registry.imports import roster_import_submit

            files = {
                "divisions": form.cleaned_data.get("divisions") or None,
                "households": form.cleaned_data["households"],
                "members": form.cleaned_data["members"],
            }
            try:
                batch = roster_import_submit(user=request.user, files=files)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("registry:import_status", pk=batch.pk)
    else:
        form = ImportUploadForm()
    return render(request, "registry/import_upload.html", {"form": form})


def batch_context(batch: ImportBatch) -> dict[str, Any]:
    report = batch.report if isinstance(batch.report, dict) else {}
    rejects = report.get("rejects", []) or []
    if not isinstance(rejects, list):
        rejects = []
    finished = batch.status in FINISHED_STATUSES
    percent = import_percent(batch, report)
    return {
        "batch": batch,
        "finished": finished,
        "percent": percent,
        "rejects": [r for r in rejects[:MAX_REJECTS_SHOWN] if isinstance(r, dict)],
        "rejects_total": len(rejects),
        "rejects_truncated": len(rejects) > MAX_REJECTS_SHOWN,
        "bar_color": BAR_COLORS.get(str(batch.status), "#0d6efd"),
        "stalled": batch.stalled(clock.now()),
    }


#: Validation fills the bar to this share; the single write transaction takes the rest.
VALIDATION_SHARE = 60


def import_percent(batch: ImportBatch, report: dict[str, Any]) -> int:
    if batch.status in (ImportStatus.SUCCEEDED, ImportStatus.NOOP):
        return 100
    if batch.status != ImportStatus.RUNNING:
        return 0
    if batch.phase == PHASE_WRITE:
        return VALIDATION_SHARE
    expected = report.get("expected_rows")
    if isinstance(expected, int) and expected > 0:
        return min(VALIDATION_SHARE - 1, batch.rows_total * VALIDATION_SHARE // expected)
    return 0


@login_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    check_action(request, Action.ROSTER_IMPORT)
    try:
        batch = selectors.import_batch_get(request.user, pk)
    except NotFound:
        raise denied(request, Action.ROSTER_IMPORT, IMPORT_BATCH, pk) from None
    template = "registry/import_status.html"
    if is_htmx(request):
        template += "#progress"
    return render(request, template, batch_context(batch))
