"""Service errors: stable code, Chinese message, HTTP status — mapped in one handler."""

from __future__ import annotations

from jiuzhu.domain.errors import DomainError


class ServiceError(DomainError):
    """A use-case refused: the caller did something the rules do not allow."""

    code = "service_error"
    default_message = "操作未能完成"
    http_status = 400


class NotFound(ServiceError):
    """Also what a user gets for an object outside their jurisdiction (never 403: no existence leak)."""

    code = "not_found"
    default_message = "未找到该记录，或您无权查看"
    http_status = 404


class PermissionDenied(ServiceError):
    code = "permission_denied"
    default_message = "您的角色无权执行此操作"
    http_status = 403


class StaleVersion(ServiceError):
    code = "stale_version"
    default_message = "该记录已被他人修改，请刷新页面后重新编辑"
    http_status = 409
