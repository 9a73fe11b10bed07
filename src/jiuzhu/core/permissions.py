"""Roles, what each may do, and which personal fields each may see — in one place.

security.md §B.8/9: a field a role may not see is never rendered; a field it
may see only masked is masked by `jiuzhu.domain.masking`; a revealable field
(ID number, phone, bank account, health) is shown in full only on an explicit,
audited reveal. Names and addresses are shown to the staff of the jurisdiction
(the page view is audited) and masked for partner departments.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from django.db import models


class Role(models.TextChoices):
    ASSISTANCE_OFFICER = "assistance_officer", "救助专干"
    COMMUNITY_WORKER = "community_worker", "社区工作人员"
    GRID_WORKER = "grid_worker", "网格员"
    COUNTY_APPROVER = "county_approver", "县级审批人"
    DEPARTMENT_LIAISON = "department_liaison", "部门联络员"
    AUDITOR = "auditor", "审计员"
    ADMIN = "admin", "系统管理员"


class Action(StrEnum):
    HOUSEHOLD_SEARCH = "household.search"
    HOUSEHOLD_VIEW = "household.view"
    HOUSEHOLD_EXPORT = "household.export"
    HOUSEHOLD_EDIT = "household.edit"
    ROSTER_IMPORT = "roster.import"
    AUDIT_VIEW = "audit.view"
    REFERENCE_MANAGE = "reference.manage"
    USER_MANAGE = "user.manage"
    POLICY_TRIAL = (
        "policy.trial"  # 试算: run the policy engine on a typed-in or registered household
    )
    POLICY_PARAMETER_VIEW = "policy.parameter.view"
    POLICY_PARAMETER_PROPOSE = "policy.parameter.propose"
    POLICY_PARAMETER_APPROVE = "policy.parameter.approve"
    CASE_VIEW = "case.view"  # see the cases of the jurisdiction
    CASE_INTAKE = "case.intake"  # 受理
    CASE_RECORD = "case.record"  # data check, home visit, 民主评议
    CASE_ASSESS = "case.assess"  # run the policy engine on a case
    DOCUMENT_PRINT = "document.print"  # 申请书、调查表、公示、审批表 …
    WARNING_VIEW = "warning.view"  # 预警清单 and its verification tasks (核查任务)
    WARNING_DECIDE = "warning.decide"  # record a verification outcome (assignee or officer)
    WARNING_EXPORT = "warning.export"  # the warning list as Excel
    SCREENING_RUN = "screening.run"  # start a quarter's screening from the page
    EXTRACT_UPLOAD = "extract.upload"  # upload a department's extract (部门比对数据)


R = Role
A = Action

PERMISSIONS: dict[Action, frozenset[Role]] = {
    A.HOUSEHOLD_SEARCH: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER, R.COUNTY_APPROVER, R.DEPARTMENT_LIAISON}),
    A.HOUSEHOLD_VIEW: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER, R.COUNTY_APPROVER, R.DEPARTMENT_LIAISON}),
    A.HOUSEHOLD_EXPORT: frozenset({R.ASSISTANCE_OFFICER, R.COUNTY_APPROVER}),
    A.HOUSEHOLD_EDIT: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER}),
    A.ROSTER_IMPORT: frozenset({R.ASSISTANCE_OFFICER}),
    A.AUDIT_VIEW: frozenset({R.AUDITOR}),
    A.REFERENCE_MANAGE: frozenset({R.ADMIN}),
    A.USER_MANAGE: frozenset({R.ADMIN}),
    A.POLICY_TRIAL: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.COUNTY_APPROVER}),
    A.POLICY_PARAMETER_VIEW: frozenset({R.ASSISTANCE_OFFICER, R.COUNTY_APPROVER, R.AUDITOR}),
    A.POLICY_PARAMETER_PROPOSE: frozenset({R.COUNTY_APPROVER}),
    A.POLICY_PARAMETER_APPROVE: frozenset({R.COUNTY_APPROVER}),
    A.CASE_VIEW: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.COUNTY_APPROVER}),
    A.CASE_INTAKE: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER}),
    A.CASE_RECORD: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER}),
    A.CASE_ASSESS: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.COUNTY_APPROVER}),
    A.DOCUMENT_PRINT: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.COUNTY_APPROVER}),
    A.WARNING_VIEW: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER, R.COUNTY_APPROVER}),
    A.WARNING_DECIDE: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER}),
    A.WARNING_EXPORT: frozenset({R.ASSISTANCE_OFFICER, R.COMMUNITY_WORKER, R.COUNTY_APPROVER}),
    A.SCREENING_RUN: frozenset({R.ASSISTANCE_OFFICER, R.COUNTY_APPROVER}),
    A.EXTRACT_UPLOAD: frozenset({R.ASSISTANCE_OFFICER, R.DEPARTMENT_LIAISON}),
}  # fmt: skip


class Visibility(StrEnum):
    FULL = "full"  # shown in clear (the page view itself is audited)
    HIDDEN = "hidden"  # never rendered, not even masked
    MASKED = "masked"  # masked; no reveal
    REVEAL = "reveal"  # masked, with an audited "show in full"


class SensitiveField(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    HEALTH = "health"  # health status, disability, medical expenses
    ADDRESS = "address"
    NAME = "name"


V = Visibility
F = SensitiveField

FIELD_VISIBILITY: dict[Role, dict[SensitiveField, Visibility]] = {
    R.ASSISTANCE_OFFICER: {F.ID_NUMBER: V.REVEAL, F.PHONE: V.REVEAL, F.BANK_ACCOUNT: V.REVEAL, F.HEALTH: V.REVEAL, F.ADDRESS: V.FULL, F.NAME: V.FULL},
    R.COUNTY_APPROVER: {F.ID_NUMBER: V.REVEAL, F.PHONE: V.REVEAL, F.BANK_ACCOUNT: V.REVEAL, F.HEALTH: V.REVEAL, F.ADDRESS: V.FULL, F.NAME: V.FULL},
    R.COMMUNITY_WORKER: {F.ID_NUMBER: V.MASKED, F.PHONE: V.REVEAL, F.BANK_ACCOUNT: V.MASKED, F.HEALTH: V.REVEAL, F.ADDRESS: V.FULL, F.NAME: V.FULL},
    R.GRID_WORKER: {F.ID_NUMBER: V.MASKED, F.PHONE: V.REVEAL, F.BANK_ACCOUNT: V.HIDDEN, F.HEALTH: V.MASKED, F.ADDRESS: V.FULL, F.NAME: V.FULL},
    R.DEPARTMENT_LIAISON: {F.ID_NUMBER: V.MASKED, F.PHONE: V.MASKED, F.BANK_ACCOUNT: V.HIDDEN, F.HEALTH: V.HIDDEN, F.ADDRESS: V.MASKED, F.NAME: V.MASKED},
    R.AUDITOR: {f: V.HIDDEN for f in F},
    R.ADMIN: {f: V.HIDDEN for f in F},
}  # fmt: skip


class HasRole(Protocol):
    role: str
    is_active: bool


def can(user: object, action: Action) -> bool:
    """True when the user's role is allowed the action. Anonymous or inactive users may do nothing."""
    role = getattr(user, "role", "")
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return role in PERMISSIONS.get(action, frozenset())


def visibility(user: object, field: SensitiveField) -> Visibility:
    role = getattr(user, "role", "")
    try:
        return FIELD_VISIBILITY[Role(role)][field]
    except (ValueError, KeyError):
        return Visibility.HIDDEN
