from __future__ import annotations

from jiuzhu.accounts.scoping import scope_to_jurisdiction
from jiuzhu.audit.models import AuditEvent
from jiuzhu.registry.models import Household


def test_each_role_sees_exactly_its_subtree(cast, county):
    all_hh = Household.objects.all()
    assert set(scope_to_jurisdiction(all_hh, cast.grid_worker)) == set(
        county.households_in(county.grids[0])
    )
    assert set(scope_to_jurisdiction(all_hh, cast.community_worker)) == set(
        county.households_in(county.communities[0])
    )
    assert set(scope_to_jurisdiction(all_hh, cast.officer)) == set(
        county.households_in(county.townships[0])
    )
    assert scope_to_jurisdiction(all_hh, cast.approver).count() == len(county.households)


def test_scope_fails_closed_and_audits_the_denial(cast):
    assert scope_to_jurisdiction(Household.objects.all(), cast.no_division).count() == 0
    assert AuditEvent.objects.filter(action="scope.denied", username="nodivision").exists()
    cast.community_worker.is_active = False
    assert scope_to_jurisdiction(Household.objects.all(), cast.community_worker).count() == 0
    assert scope_to_jurisdiction(Household.objects.all(), None).count() == 0
