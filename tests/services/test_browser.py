"""The service-relationship story in a real Chromium: group -> instance, active timeframe, VIP badges."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services import services
from tests import factories
from tests.conftest import PASSWORD
from tests.services import factories as sf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ITSM_SCREENSHOTS", "")


def test_slm_opens_group_follows_instance_sees_active_timeframe_and_vip_badges(
    page, live_server, slm_user, default_status
):
    # default_status first: after an earlier transactional test's flush, the first status created would become the
    # default, and every person without a status would wear its badge.
    executive = factories.vip_status("Executive", colour="#B42318")
    critical = factories.vip_status("Critical Role", colour="#F79009")
    dean = factories.person(0, first_name="Dana", last_name="Dean", vip_status=executive)
    head = factories.person(1, first_name="Hugo", last_name="Head", vip_status=critical)
    student = factories.person(2, first_name="Sam", last_name="Student")
    faculty = sf.customer_group(0, name="Faculty of Science", kind="department", organisation_code="A061000")
    chemistry = sf.customer_group(1, name="Chemistry", primary_contact=head)
    services.customer_group_update(faculty, user=None, change_reason="nest", nested_groups=[chemistry])
    sf.membership(faculty, dean, role="approver")
    sf.membership(chemistry, head)
    sf.membership(chemistry, student)
    instance = sf.agreement(
        0,
        technical_service=sf.technical_service(0, name="ERP"),
        customer_group=faculty,
        service_level=sf.service_level(0, name="Gold"),
        primary_customer=dean,
    )
    now = timezone.now()
    sf.timeframe(instance, 0, name="Registration week", heightened_support=True)
    sf.timeframe(instance, 1, name="Graduation", start=now + dt.timedelta(days=60), end=now + dt.timedelta(days=62))

    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{live_server.url}/services/groups/{faculty.pk}/")
    # Not signed in: the sign-in page, then back to the group.
    page.fill("#id_username", slm_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Faculty of Science")

    members = page.locator("#members")
    expect(members.locator("tr", has_text="Dean").locator(".vip-badge")).to_have_text("Executive")
    expect(members.locator("tr", has_text="Head").locator(".vip-badge")).to_have_text("Critical Role")
    expect(members.locator("tr", has_text="Student").locator(".vip-badge")).to_have_count(0)
    expect(members.locator("tr", has_text="Head")).to_contain_text("Chemistry")  # reached through the nested group
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/group.png", full_page=True)

    page.locator("#instances").get_by_role("link", name="ERP - Faculty of Science").click()
    expect(page.locator("h1")).to_contain_text("ERP - Faculty of Science")
    active = page.locator("#timeframes tr.active-timeframe")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("Registration week")
    expect(active).to_contain_text("Active now")
    expect(page.locator("#timeframes tr", has_text="Graduation")).not_to_have_class("highlight active-timeframe")
    expect(page.locator("#relationship")).to_contain_text("Dana Dean")
    expect(page.locator("#relationship .vip-badge").first).to_have_text("Executive")
    expect(page.locator("#users .vip-badge", has_text="Critical Role")).to_have_count(1)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/instance.png", full_page=True)
