"""民主评议 (domain.md §5): the community's panel, its meetings and the vote on each case.

A community (社区/村) has one panel (评议小组) of "两委" members, party
representatives and resident representatives. A meeting takes the panel's
active members as its roll (`Attendance`, fixed when the meeting is opened),
so later changes to the panel do not change the size a quorum is counted
against. Each case on the agenda gets one `ReviewVote` per member — a vote,
or a recusal with its reason (利害关系人回避) — and one `ReviewConclusion`
that keeps the counts and the parameter versions it was decided with.
The audio/video recordings are kept elsewhere; the meeting only references
them (file name or path, and a hash).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

PrivacyTags = dict[str, tuple[str, str]]


class MemberRole(models.TextChoices):
    TWO_COMMITTEES = "two_committees", "社区“两委”成员"
    PARTY_REP = "party_rep", "党员代表"
    RESIDENT_REP = "resident_rep", "居民代表"


class ReviewPanel(models.Model):
    """The 民主评议小组 of one community."""

    community = models.OneToOneField(
        "divisions.Division",
        verbose_name="社区/村",
        on_delete=models.PROTECT,
        related_name="review_panel",
    )
    created_at = models.DateTimeField("组建时间")
    updated_at = models.DateTimeField("更新时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "community": ("none", "辖区"),
        "created_at": ("none", "记录管理"),
        "updated_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "民主评议小组"
        verbose_name_plural = "民主评议小组"
        ordering = ["community__code"]

    def __str__(self) -> str:
        return f"{self.community.name}民主评议小组"


class PanelMember(models.Model):
    panel = models.ForeignKey(
        ReviewPanel, verbose_name="评议小组", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("身份", max_length=20, choices=MemberRole.choices)
    active = models.BooleanField("在任", default=True)
    created_at = models.DateTimeField("登记时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "panel": ("none", "归属"),
        "name": ("personal", "民主评议留痕"),
        "role": ("none", "评议小组构成"),
        "active": ("none", "评议小组构成"),
        "created_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "评议小组成员"
        verbose_name_plural = "评议小组成员"
        ordering = ["panel_id", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class MeetingStatus(models.TextChoices):
    OPEN = "open", "评议中"
    CLOSED = "closed", "已结束"


class ReviewMeeting(models.Model):
    community = models.ForeignKey(
        "divisions.Division",
        verbose_name="社区/村",
        on_delete=models.PROTECT,
        related_name="review_meetings",
    )
    held_on = models.DateField("评议日期")
    place = models.CharField("评议地点", max_length=100)
    chair = models.CharField("主持人", max_length=50, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    recordings = models.JSONField("录音录像存档（文件名或路径、哈希值）", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.OPEN
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "community": ("none", "辖区"),
        "held_on": ("none", "民主评议留痕"),
        "place": ("none", "民主评议留痕"),
        "chair": ("personal", "民主评议留痕"),
        "minutes": ("sensitive", "民主评议留痕（含申请家庭情况）"),
        "recordings": ("personal", "民主评议音视频存档索引"),
        "status": ("none", "流程"),
        "version": ("none", "并发控制"),
        "created_by": ("personal", "登记留痕"),
        "created_at": ("none", "记录管理"),
        "updated_at": ("none", "记录管理"),
    }

    class Meta:
        verbose_name = "民主评议会议"
        verbose_name_plural = "民主评议会议"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.community.name} {self.held_on:%Y-%m-%d} 民主评议"


class Attendance(models.Model):
    """One line of a meeting's roll: the panel's active members when it was opened."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        PanelMember, verbose_name="成员", on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField("到会", default=False)

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "meeting": ("none", "归属"),
        "member": ("none", "归属"),
        "present": ("personal", "法定人数核验"),
    }

    class Meta:
        verbose_name = "到会情况"
        verbose_name_plural = "到会情况"
        ordering = ["meeting_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="reviews_one_roll_line"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_id} {'到会' if self.present else '缺席'}"


class Vote(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    ABSTAIN = "abstain", "弃权"


class ReviewVote(models.Model):
    """A member's vote on one case at one meeting, or their recusal (then no vote)."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name="会议", on_delete=models.PROTECT, related_name="votes"
    )
    case = models.ForeignKey(
        "casework.Case", verbose_name="申请", on_delete=models.PROTECT, related_name="review_votes"
    )
    member = models.ForeignKey(
        PanelMember, verbose_name="成员", on_delete=models.PROTECT, related_name="+"
    )
    vote = models.CharField("表决意见", max_length=10, choices=Vote.choices, blank=True)
    recused = models.BooleanField("回避", default=False)
    recusal_reason = models.CharField("回避原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "meeting": ("none", "归属"),
        "case": ("none", "归属"),
        "member": ("none", "归属"),
        "vote": ("personal", "民主评议表决"),
        "recused": ("personal", "利害关系回避"),
        "recusal_reason": ("personal", "利害关系回避"),
        "recorded_by": ("personal", "录入留痕"),
        "recorded_at": ("none", "录入留痕"),
    }

    class Meta:
        verbose_name = "评议表决"
        verbose_name_plural = "评议表决"
        ordering = ["meeting_id", "case_id", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case", "member"], name="reviews_one_vote_per_member"
            ),
            # A recused member has no vote; a member who votes is not recused.
            models.CheckConstraint(
                condition=(
                    models.Q(recused=True, vote="") | (models.Q(recused=False) & ~models.Q(vote=""))
                ),
                name="reviews_recused_members_do_not_vote",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.case_id} {self.member_id}"


class ReviewConclusion(models.Model):
    """The result for one case at one meeting, with what it was counted from."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name="会议", on_delete=models.PROTECT, related_name="conclusions"
    )
    case = models.ForeignKey(
        "casework.Case",
        verbose_name="申请",
        on_delete=models.PROTECT,
        related_name="review_conclusions",
    )
    passed = models.BooleanField("通过")
    reason_code = models.CharField("结论代码", max_length=24)
    reason = models.CharField("结论说明", max_length=300)
    panel_size = models.PositiveSmallIntegerField("应到人数")
    present = models.PositiveSmallIntegerField("实到人数")
    recused = models.PositiveSmallIntegerField("回避人数")
    agree = models.PositiveSmallIntegerField("同意")
    disagree = models.PositiveSmallIntegerField("不同意")
    abstain = models.PositiveSmallIntegerField("弃权")
    parameter_versions = models.JSONField("所用参数版本", default=list)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField("确认时间")

    privacy: ClassVar[PrivacyTags] = {
        "id": ("none", "主键"),
        "meeting": ("none", "归属"),
        "case": ("none", "归属"),
        "passed": ("sensitive", "救助认定"),
        "reason_code": ("none", "评议结论"),
        "reason": ("none", "评议结论（仅人数与票数）"),
        "panel_size": ("none", "法定人数核验"),
        "present": ("none", "法定人数核验"),
        "recused": ("none", "利害关系回避"),
        "agree": ("none", "表决结果"),
        "disagree": ("none", "表决结果"),
        "abstain": ("none", "表决结果"),
        "parameter_versions": ("none", "政策参数版本"),
        "concluded_by": ("personal", "办理留痕"),
        "concluded_at": ("none", "办理留痕"),
    }

    class Meta:
        verbose_name = "评议结论"
        verbose_name_plural = "评议结论"
        ordering = ["meeting_id", "concluded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="reviews_one_conclusion"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.case_id} {'通过' if self.passed else '未通过'}"

    @property
    def voting(self) -> int:
        """参加表决人数: present members who were not recused."""
        return self.present - self.recused
