"""Divisions are reference data: the system admin may correct names, never move a
division (jurisdictions hang on its path), and every change is audited."""

from __future__ import annotations

import pytest

from jiuzhu.audit.models import AuditEvent
from jiuzhu.divisions.models import Division

pytestmark = pytest.mark.django_db


def test_a_division_cannot_be_moved_under_another_parent(county):
    community = county.communities[0]
    community.parent = county.townships[1]
    with pytest.raises(ValueError, match="不能修改"):
        community.save()
    community.refresh_from_db()
    assert community.parent == county.townships[0]


def test_the_admin_corrects_a_name_and_the_change_is_audited(client, cast, county):
    community = county.communities[0]
    client.force_login(cast.admin)
    url = f"/admin/divisions/division/{community.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="parent"' not in page.content.decode()  # read-only once it exists
    assert 'name="code"' not in page.content.decode()

    response = client.post(url, {"name": "A1社区（更名）"})

    assert response.status_code == 302
    assert Division.objects.get(pk=community.pk).name == "A1社区（更名）"
    event = AuditEvent.objects.get(action="reference.changed", object_id=str(community.pk))
    assert event.details["model"] == "divisions.Division"
    assert event.details["fields"] == ["name"]


@pytest.mark.parametrize("who", ["officer", "approver", "auditor", "community_worker"])
def test_only_the_system_admin_reaches_the_division_admin(client, cast, who):
    user = getattr(cast, who)
    user.is_staff = True  # even a staff flag does not open it: the matrix decides
    user.save()
    client.force_login(user)
    assert client.get("/admin/divisions/division/").status_code in {302, 403}
