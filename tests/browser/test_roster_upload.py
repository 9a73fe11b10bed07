"""An officer uploads a roster for their street through the page and watches it finish:
the status page shows the counts and lists each rejected line with its reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from jiuzhu.registry.models import Household, ImportBatch, ImportStatus
from tests.browser.test_login_search_detail import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_roster(folder: Path, community_code: str) -> None:
    folder.mkdir()
    with (folder / "households.csv").open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["家庭编号", "行政区划代码", "住址", "救助类别", "复核分类", "纳入日期",
                         "最近核查日期", "月救助金额", "申报月收入"])  # fmt: skip
        writer.writerow(
            [
                "UP0001",
                community_code,
                "幸福路1号",
                "dibao",
                "C",
                "2024-01-05",
                "",
                "650.00",
                "1200",
            ]
        )
        writer.writerow(
            ["UP0002", community_code, "幸福路2号", "dibao", "B", "2024-02-05", "", "-1.00", "900"]
        )
    with (folder / "members.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["household_id", "id_number", "name", "relation", "labor_ability",
                         "disability_grade", "health", "is_student", "employment"])  # fmt: skip
        writer.writerow(
            [
                "UP0001",
                "11010519491231002X",
                "上传甲",
                "户主",
                "none",
                "0",
                "chronic",
                "0",
                "retired",
            ]
        )
        writer.writerow(
            [
                "UP0001",
                "110105194912310021",
                "上传乙",
                "配偶",
                "none",
                "0",
                "healthy",
                "0",
                "retired",
            ]
        )


def test_officer_uploads_a_roster_and_sees_the_rejects(
    phone_page, live_server, live_cast, live_county, tmp_path
):
    page = phone_page
    community = live_county.communities[0]
    folder = tmp_path / "roster"
    write_roster(folder, community.code)

    log_in(page, live_server.url, live_cast.officer.username)
    page.goto(f"{live_server.url}/households/imports/new/")
    page.set_input_files("input[name=households]", str(folder / "households.csv"))
    page.set_input_files("input[name=members]", str(folder / "members.csv"))
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()

    expect(page.get_by_test_id("import-status")).to_have_text(ImportStatus.SUCCEEDED.label)
    expect(page.get_by_test_id("import-percent")).to_have_text("100")
    rejects = page.get_by_test_id("rejects")
    expect(rejects).to_contain_text("households.csv")
    expect(rejects).to_contain_text("negative_amount")
    expect(rejects).to_contain_text("bad_check_digit")
    assert page.get_by_test_id("rows-loaded").inner_text() == "2"  # one household, one member
    assert "110105194912310021" not in page.content()  # a rejected ID is never echoed

    batch = ImportBatch.objects.get()
    assert batch.created_by == live_cast.officer
    assert {(r["file"], r["line"], r["reason"]) for r in batch.report["rejects"]} == {
        ("households.csv", 3, "negative_amount"),
        ("members.csv", 3, "bad_check_digit"),
    }
    assert Household.objects.filter(household_no="UP0001").exists()
    token = batch.report["upload_token"]
    assert not (Path(settings.JIUZHU_UPLOAD_DIR) / token).exists()  # uploads deleted after the run
