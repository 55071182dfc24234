"""The readable audit in a real Chromium: a colour change shows its swatches in the audit log, and the revert page
shows what reverting would change before it asks for the reason."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.itsm.test_accessibility_browser import desk, serious_violations  # noqa: F401 (fixture)
from vip.services import vip_status_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_audit_log_and_the_revert_preview_show_the_change(desk, live_server):  # noqa: F811
    page, d = desk
    status = d["caller"].vip_status
    first = status.history.earliest()
    vip_status_update(status, user=None, change_reason="darker for contrast", colour="#1D3A8A")

    page.goto(f"{live_server.url}/admin/audit-log/?model=vip.vipstatus")
    row = page.locator("#audit-log tbody tr").first
    expect(row).to_contain_text("darker for contrast")
    expect(row).to_contain_text(timezone.localtime(status.history.latest().history_date).strftime("%Y-%m-%d %H:%M"))
    swatches = row.locator(".swatch")
    expect(swatches).to_have_count(2)
    assert swatches.nth(1).evaluate("s => getComputedStyle(s).backgroundColor") == "rgb(29, 58, 138)"

    page.goto(f"{live_server.url}/admin/vip/vipstatus/{status.pk}/history/{first.history_id}/")
    preview = page.locator("#revert-preview")
    expect(preview).to_contain_text("#1D3A8A → #B42318")
    assert serious_violations(page) == []
