"""The policy engine (政策引擎): dated parameters, pure rules, explained results.

`assess(application, parameter_source)` is the one path every caller shares;
`parse_application` reads the case structure of `cases/README.md`.
"""

from jiuzhu.domain.policy.cases import (
    CaseError,
    application_to_dict,
    parse_application,
    parse_case_text,
)
from jiuzhu.domain.policy.engine import Determination, assess, recompute
from jiuzhu.domain.policy.household import Application, Programme
from jiuzhu.domain.policy.parameters import (
    ParameterError,
    ParameterTable,
    PinnedParameters,
    bundled_table,
)

__all__ = [
    "Application",
    "CaseError",
    "Determination",
    "ParameterError",
    "ParameterTable",
    "PinnedParameters",
    "Programme",
    "application_to_dict",
    "assess",
    "bundled_table",
    "parse_application",
    "parse_case_text",
    "recompute",
]
