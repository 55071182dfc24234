"""The VIP-status story in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.base import history_of
from tests.conftest import PASSWORD
from vip.models import VipStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_login(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_admin_creates_status_moves_it_to_top_and_dropdown_follows(page, live_server, admin_user, default_status):
    person = factories.person(0)
    admin_login(page, live_server, admin_user)

    page.goto(f"{live_server.url}/admin/vip/vipstatus/add/")
    page.fill("#id_name", "Board Member")
    page.fill("#id_colour", "#7A1FA2")
    page.fill("#id_change_reason", "Board members get their own level")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("Board Member")

    status = VipStatus.objects.get(name="Board Member")
    assert status.colour.upper() == "#7A1FA2"
    assert status.history.last().history_change_reason == "Board members get their own level"

    page.click("button.vip-move-top[aria-label='Move to top Board Member']")
    expect(page.locator(".messagelist")).to_contain_text("moved from 2 to 1")

    page.goto(f"{live_server.url}/people/{person.pk}/edit/")
    options = page.locator("#id_vip_status option").all_inner_texts()
    assert options == ["Board Member", default_status.name]


def test_save_without_reason_shows_error_and_changes_nothing(page, live_server, admin_user, default_status):
    admin_login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/vip/vipstatus/{default_status.pk}/change/")
    page.fill("#id_description", "edited without a reason")
    page.click("input[name=_save]")
    expect(page.locator(".field-change_reason .errorlist")).to_contain_text("This field is required")
    expect(page.locator("#id_description")).to_have_value("edited without a reason")
    default_status.refresh_from_db()
    assert default_status.description != "edited without a reason"


def test_delete_confirmation_asks_for_reason_and_moves_holders(page, live_server, admin_user, default_status):
    exec_ = factories.vip_status("Executive", colour="#B42318")
    holder = factories.person(0, vip_status=exec_)
    admin_login(page, live_server, admin_user)
    page.goto(f"{live_server.url}/admin/vip/vipstatus/{exec_.pk}/delete/")
    expect(page.locator("#holder-count")).to_contain_text("1 person holds this status")
    page.click("input[type=submit]")
    expect(page.locator("#change_reason_error")).to_be_visible()
    assert VipStatus.objects.filter(pk=exec_.pk).exists()
    page.fill("#id_change_reason", "Level retired")
    page.click("input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("deleted successfully")
    holder.refresh_from_db()
    assert holder.vip_status == default_status
    assert history_of(holder).last().history_change_reason.startswith("Level retired")


def test_person_list_shows_badge_in_status_colour(page, live_server, analyst_user, default_status):
    exec_ = factories.vip_status("Executive", colour="#B42318")
    factories.person(0, first_name="Vera", vip_status=exec_)
    page.goto(f"{live_server.url}/accounts/login/?next=/people/")
    page.fill("#id_username", analyst_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    badge = page.locator("#people-table .vip-badge", has_text="Executive")
    expect(badge).to_be_visible()
    expect(badge).to_have_css("background-color", "rgb(180, 35, 24)")
    expect(badge).to_have_css("color", "rgb(255, 255, 255)")
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    assert re.search(r"/people/", page.url)
