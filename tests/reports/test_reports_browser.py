"""A service level manager reads the reports in Chromium: picks a group and a period, the chart's figures are the
table's, one click on a breached figure lands on exactly those tickets, and the printed page has no navigation."""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.reports.test_reports import desk  # noqa: F401  (the hand-checked tickets)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_service_level_manager_reads_the_report_and_follows_a_breach(page, live_server, slm_user, desk):  # noqa: F811
    page.set_viewport_size({"width": 1360, "height": 1000})
    page.goto(f"{live_server.url}/accounts/login/?next=/reports/")
    page.fill("#id_username", slm_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Reports")
    page.fill("input[name=date_from]", "2026-11-01")
    page.fill("input[name=date_to]", str(timezone.localdate()))
    finance = desk["tickets"][0].service_instance.customer_group
    page.select_option("select[name=customer_group]", str(finance.pk))  # filters apply as they change
    expect(page).to_have_url(re.compile(rf"customer_group={finance.pk}"))
    row = page.locator("#achievement-table tbody tr", has_text="Finance")
    expect(row.locator("td").nth(0)).to_have_text("3")
    # The chart is drawn from the same figures as the table.
    data = json.loads(page.locator("#achievement-data").text_content())
    assert data["labels"] == ["Finance"] and data["resolution"] == [50.0] and data["response"] == [50.0]
    assert page.locator("#attainment-chart").evaluate("c => c.width > 0 && !!window.Chart.getChart(c)")
    # One click from the breached figure to the ticket it counts.
    row.locator("a.breached-link").first.click()
    breached = desk["tickets"][1].number
    expect(page.locator("#queue-table tbody tr")).to_have_count(1)
    expect(page.locator("#queue-table tbody tr")).to_contain_text(breached)
    # Printed, the report has no navigation.
    page.go_back()
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("#report-filters")).to_be_hidden()
    expect(page.locator("#achievement-table")).to_be_visible()
    page.emulate_media(media="screen")
    # The manager records the quarterly review with the customer.
    instance = desk["tickets"][0].service_instance
    page.goto(f"{live_server.url}/reports/reviews/instances/{instance.pk}/")
    expect(page.locator("h2", has_text="What was achieved")).to_be_visible()
    page.fill("#id_outcome", "Targets met but one VIP call; the VIP desk opens at 8:00.")
    page.fill("#id_actions", "Open the VIP desk at 8:00")
    page.fill("#id_next_review_date", "2027-03-01")
    page.fill("#id_change_reason", "quarterly review")
    page.click("text=Record the review")
    expect(page.locator(".messages")).to_contain_text("Review recorded")
    expect(page.locator("section", has_text="Past reviews")).to_contain_text("the VIP desk opens at 8:00")
