"""Chinese labels for audit action and result codes, as the audit page shows them.

A code without an entry is shown as it is, so a new action is visible at once
(and can be given a label here).
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    # Sign-in and sessions
    "login.ok": "登录成功",
    "login.failed": "登录失败",
    "login.refused_locked": "登录被拒（账户已锁定）",
    "login.refused_ip": "登录被拒（IP受限）",
    "ip.blocked": "IP受限",
    "account.locked": "账户锁定",
    "account.unlocked": "解除锁定",
    "logout": "退出登录",
    "reference.changed": "修改基础数据",
    "session.expired": "会话过期",
    "password.changed": "修改密码",
    "password.reset": "重置密码",
    # Accounts and configuration
    "user.created": "新建用户",
    "user.changed": "修改用户",
    "user.disabled": "停用用户",
    "role.changed": "角色变更",
    "config.changed": "配置变更",
    # Access control
    "scope.denied": "越权访问被拒",
    "permission.denied": "无权限访问被拒",
    # Household registry
    "household.search": "查询家庭",
    "household.view": "查看家庭",
    "household.reveal": "查看敏感信息",
    "household.export": "导出",
    "household.edit": "修改家庭",
    "household.create": "新建家庭",
    "household.print": "打印",
    # Imports
    "import.start": "导入开始",
    "import.finish": "导入完成",
    "import.fail": "导入失败",
    "roster.import": "名册导入",
    # Cases and payments
    "case.create": "新建案件",
    "case.edit": "修改案件",
    "case.submit": "提交案件",
    "case.approve": "审批通过",
    "case.reject": "审批驳回",
    "payment.batch_generate": "生成发放批次",
    "payment.batch_approve": "审核发放批次",
    "payment.batch_export": "导出发放文件",
    # The audit log itself
    "audit.view": "查看审计日志",
    "audit.verify": "校验哈希链",
}

RESULT_LABELS: dict[str, str] = {
    "ok": "成功",
    "failed": "失败",
    "denied": "拒绝",
    "error": "错误",
}

#: Bootstrap badge classes per result.
RESULT_BADGES: dict[str, str] = {
    "ok": "text-bg-success",
    "failed": "text-bg-danger",
    "error": "text-bg-danger",
    "denied": "text-bg-warning",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def result_label(code: str) -> str:
    return RESULT_LABELS.get(code, code)
