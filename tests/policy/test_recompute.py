"""A stored decision is recomputed with its stored parameter versions after the parameters change."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from jiuzhu.domain.policy import ParameterError, parse_case_text, recompute
from jiuzhu.policy import services
from jiuzhu.policy.models import ChangeStatus, ParameterChange
from tests import factories
from tests.domain.policy.support import case_files

pytestmark = pytest.mark.django_db
E01 = next(path for path in case_files() if path.name.startswith("E01"))
JUNE_20 = dt.datetime(2026, 6, 20, 1, tzinfo=dt.UTC)


def test_decision_before_a_new_standard_recomputes_to_the_same_amount(
    county: factories.County,
) -> None:
    application, _ = parse_case_text(E01.read_text(encoding="utf-8"))
    decision = services.assessment_record(application, services.assess_application(application))
    stored = json.loads(
        json.dumps({"inputs": decision.inputs, "versions": decision.parameter_versions})
    )
    assert decision.result["amount"] == "1100.00"

    maker = factories.user("approver_1", "county_approver", county.county)
    checker = factories.user("approver_2", "county_approver", county.county)
    with time_machine.travel(JUNE_20, tick=False):
        change = services.propose_change(
            actor=maker,
            name="dibao_standard",
            effective_from=dt.date(2026, 7, 1),
            value="1000",
            source="县民政局〔2026〕12号",
        )
        services.decide_change(actor=checker, change_id=change.pk, approve=True)

    later = parse_case_text(
        E01.read_text(encoding="utf-8").replace("as_of: 2026-06-15", "as_of: 2026-08-01")
    )[0]
    assert services.assess_application(later).amount == Decimal(
        "1250.00"
    )  # the new standard applies from July

    again = recompute(stored["inputs"], stored["versions"])
    assert again.amount == Decimal("1100.00")
    assert (
        again.as_dict()["explanation"]["parameters"] == decision.result["explanation"]["parameters"]
    )


def test_stored_versions_survive_even_a_retroactive_data_fix(county: factories.County) -> None:
    """A value back-dated behind the decision (a data fix, not the normal path) changes a fresh
    assessment, never the recomputation of what was decided."""
    application, _ = parse_case_text(E01.read_text(encoding="utf-8"))
    decision = services.assessment_record(application, services.assess_application(application))
    maker = factories.user("approver_1", "county_approver", county.county)
    checker = factories.user("approver_2", "county_approver", county.county)
    ParameterChange.objects.create(
        name="dibao_standard",
        region="510199",
        effective_from=dt.date(2026, 6, 1),
        value="990.00",
        source="补录",
        status=ChangeStatus.APPROVED,
        proposed_by=maker,
        proposed_at=JUNE_20,
        decided_by=checker,
        decided_at=JUNE_20,
    )
    assert services.assess_application(application).amount == Decimal("1220.00")  # 990 × 3 − 1750
    assert recompute(decision.inputs, decision.parameter_versions).amount == Decimal("1100.00")


def test_recompute_refuses_versions_that_lack_a_parameter() -> None:
    application, _ = parse_case_text(E01.read_text(encoding="utf-8"))
    decision = services.assessment_record(application, services.assess_application(application))
    partial = [use for use in decision.parameter_versions if use["name"] != "dibao_standard"]
    with pytest.raises(ParameterError, match="dibao_standard"):
        recompute(decision.inputs, partial)
