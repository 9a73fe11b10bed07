"""Browser tests: Debian's headless Chromium driven by Playwright's sync API.

Playwright cannot download its own browser here, so the system Chromium is
used. Without it the tests are skipped — unless JIUZHU_REQUIRE_BROWSER=1 (CI,
release checks), where a missing browser is a failure.

Playwright's sync API keeps an asyncio loop running in the test thread, which
trips Django's "async unsafe" guard on ORM calls made by the test itself; the
ORM is only used synchronously here, so the guard is switched off — only while
a browser is open (the variable is read at each call), not for the whole run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 375, "height": 812}


def chromium_path() -> str | None:
    if SYSTEM_CHROMIUM.exists():
        return str(SYSTEM_CHROMIUM)
    return shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("JIUZHU_REQUIRE_BROWSER", "") == "1"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_path()
    if path is None:
        if browser_required():
            pytest.fail(
                "未找到 Chromium 浏览器（/usr/bin/chromium），而 JIUZHU_REQUIRE_BROWSER=1 要求运行浏览器测试 / "
                "Chromium not found (/usr/bin/chromium) but JIUZHU_REQUIRE_BROWSER=1 requires the browser tests",
                pytrace=False,
            )
        pytest.skip(
            "未找到 Chromium 浏览器（/usr/bin/chromium），浏览器测试已跳过 / "
            "Chromium not found (/usr/bin/chromium), browser tests skipped"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        reason = (
            "未安装 Playwright，浏览器测试已跳过 / Playwright not installed, browser tests skipped"
        )
        if browser_required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield instance
            finally:
                instance.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a 375px-wide phone viewport."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def live_county(transactional_db: None) -> factories.County:
    """`county`, committed for real so the live server thread sees it."""
    return factories.make_county()


@pytest.fixture
def live_cast(live_county: factories.County) -> factories.Cast:
    return factories.make_cast(live_county)
