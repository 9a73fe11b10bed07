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
    # Policy engine
    "policy.trial": "救助试算",
    "policy.parameter.propose": "提出政策参数调整",
    "policy.parameter.approve": "审核政策参数调整",
    # Cases (one code per workflow step: case.<action>)
    "case.open": "受理申请",
    "case.view": "查看申请",
    "case.list": "查看待办清单",
    "case.export": "导出申请清单",
    "case.assess": "政策测算",
    "case.record_data_check": "登记数据核对报告",
    "case.record_home_visit": "登记入户调查",
    "case.record_democratic_review_quorum": "登记民主评议",
    "case.record_county_check": "登记县级抽查",
    "case.record_self_care_assessment": "登记自理能力评估",
    "case.record_supporters_checked": "登记义务人核查",
    "case.start_investigation": "启动调查",
    "case.complete_investigation": "调查完成",
    "case.record_democratic_review": "民主评议通过",
    "case.start_publicity": "开始公示",
    "case.raise_objection": "公示异议",
    "case.close_publicity": "公示期满",
    "case.approve": "审批通过",
    "case.refuse": "不予批准",
    "case.withdraw": "撤回申请",
    "case.grant_at_township": "乡镇批准临时救助",
    "case.grant_at_county": "县级批准临时救助",
    "case.refer_to_county": "报县审批",
    "case.pay_first": "先行救助",
    "casework.access": "访问办理页面",
    "visit.start": "开始入户调查",
    "visit.save": "保存入户调查",
    "visit.complete": "完成入户调查",
    "visit.view": "查看入户调查",
    "visit.list": "查看入户调查清单",
    "visit.access": "访问入户调查",
    "visit.attachment.upload": "上传调查附件",
    "visit.attachment.download": "下载调查附件",
    "visit.attachment.remove": "删除调查附件",
    "review.meeting_open": "召开民主评议",
    "review.meeting_edit": "修改评议会议",
    "review.meeting_close": "结束评议会议",
    "review.attendance": "登记到会",
    "review.votes": "登记表决",
    "review.conclude": "评议结论",
    "review.view": "查看民主评议",
    "review.panel_member_add": "新增评议成员",
    "review.panel_member_active": "调整评议成员",
    "document.print": "打印文书",
    "publicity.withheld": "依法不予公示",
    # Dynamic monitoring (预警清单, 核查任务, 比对数据)
    "warning.list": "查看预警清单",
    "warning.view": "查看核查任务",
    "warning.decide": "登记核查结果",
    "warning.export": "导出预警清单",
    "warning.raise": "生成核查任务",
    "screening.run": "启动大数据筛查",
    "screening.finish": "筛查完成",
    "screening.fail": "筛查失败",
    "extract.upload": "上传比对数据",
    "extract.finish": "比对数据导入完成",
    "extract.fail": "比对数据导入失败",
    # Payments
    "case.create": "新建案件",
    "case.edit": "修改案件",
    "case.submit": "提交案件",
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
