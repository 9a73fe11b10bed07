"""The browser fixtures of tests/browser, for the phone test of the visit page."""

from tests.browser.conftest import (  # noqa: F401 - fixtures, used by name
    browser,
    chromium_executable,
    live_cast,
    live_county,
    phone_page,
)
