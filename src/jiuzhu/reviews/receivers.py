"""Demo data of the reviews app: a 民主评议 panel for the demo community."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from jiuzhu.core import clock
from jiuzhu.divisions.models import Division
from jiuzhu.registry.demo import demo_county_created
from jiuzhu.reviews.models import MemberRole, PanelMember, ReviewPanel

DEMO_PANEL = (
    ("周建国", MemberRole.TWO_COMMITTEES),
    ("李秀英", MemberRole.TWO_COMMITTEES),
    ("王德明", MemberRole.TWO_COMMITTEES),
    ("陈玉兰", MemberRole.PARTY_REP),
    ("刘志强", MemberRole.PARTY_REP),
    ("赵桂芳", MemberRole.RESIDENT_REP),
    ("孙立平", MemberRole.RESIDENT_REP),
)


@receiver(demo_county_created)
def seed_demo_panel(sender: Any, *, community_code: str, **kwargs: Any) -> None:
    community = Division.objects.filter(code=community_code).first()
    if community is None:
        return
    now = clock.now()
    panel, _ = ReviewPanel.objects.get_or_create(
        community=community, defaults={"created_at": now, "updated_at": now}
    )
    PanelMember.objects.bulk_create(
        PanelMember(panel=panel, name=name, role=role, created_at=now) for name, role in DEMO_PANEL
    )
