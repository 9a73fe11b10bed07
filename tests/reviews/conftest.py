"""The phone test of this folder borrows the browser fixtures of tests/browser."""

from tests.browser.conftest import (  # noqa: F401 - fixtures, found by name
    browser,
    chromium_executable,
    live_cast,
    live_county,
    phone_page,
)
