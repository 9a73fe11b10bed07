"""The roles table (core.permissions) and the masking rules (domain.masking) agree.

Lives outside tests/domain: the domain's tests import no Django (import-linter).
"""

from __future__ import annotations

from jiuzhu.core.permissions import SensitiveField
from jiuzhu.domain.masking import MaskKind, mask


def test_every_permission_field_can_be_masked() -> None:
    # The roles table marks fields "masked"; each must have a masking rule.
    for field in SensitiveField:
        assert mask(field, "") == ""
        assert MaskKind(field).value == field.value
