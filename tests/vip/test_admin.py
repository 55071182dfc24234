import pytest
from django.urls import reverse

from people.models import Person
from tests import factories
from tests.base import AdminBattery, history_of
from vip.models import VipStatus


class TestVipStatusAdmin(AdminBattery):
    model = VipStatus

    def make(self, index):
        return factories.vip_status(f"Level {index}", colour="#123456")

    def admin_add_data(self):
        return {"name": "Board", "colour": "#AA0000", "show_on_tickets": "on", "description": ""}

    def admin_change_data(self, obj):
        return {"name": obj.name, "colour": "#00AA00", "description": "changed"}


@pytest.mark.django_db
class TestVipAdminRules:
    @pytest.fixture
    def admin_client(self, client, admin_user):
        client.force_login(admin_user)
        return client

    def test_changelist_in_position_order_with_move_buttons(self, admin_client, default_status):
        factories.vip_status("Executive")
        html = admin_client.get(reverse("admin:vip_vipstatus_changelist")).content.decode()
        assert html.index("Standard") < html.index("Executive")
        assert "vip-move-top" in html and "vip-move-bottom" in html

    def test_move_button_moves_and_records_user(self, admin_client, admin_user, default_status):
        exec_ = factories.vip_status("Executive")
        response = admin_client.post(reverse("admin:vip_vipstatus_move", args=[exec_.pk, "top"]))
        assert response.status_code == 302
        exec_.refresh_from_db()
        assert exec_.position == 1
        row = history_of(exec_).last()
        assert (row.history_change_reason, row.history_user) == ("moved from 2 to 1", admin_user)

    def test_analyst_cannot_move(self, client, make_user, default_status):
        from itsm.roles import ANALYST

        user = make_user("a2", ANALYST, staff=True)
        client.force_login(user)
        exec_ = factories.vip_status("Executive")
        response = client.post(reverse("admin:vip_vipstatus_move", args=[exec_.pk, "top"]))
        assert response.status_code == 403
        exec_.refresh_from_db()
        assert exec_.position == 2

    def test_deleting_default_shows_message_and_keeps_it(self, admin_client, default_status):
        url = reverse("admin:vip_vipstatus_delete", args=[default_status.pk])
        response = admin_client.post(url, {"post": "yes", "change_reason": "x"}, follow=True)
        assert "cannot be deleted" in response.content.decode()
        assert VipStatus.objects.filter(pk=default_status.pk).exists()

    def test_bulk_delete_including_default_is_refused_entirely(self, admin_client, default_status):
        exec_ = factories.vip_status("Executive")
        data = {
            "action": "delete_selected",
            "_selected_action": [default_status.pk, exec_.pk],
            "post": "yes",
            "change_reason": "clean",
        }
        response = admin_client.post(reverse("admin:vip_vipstatus_changelist"), data, follow=True)
        assert "cannot be deleted" in response.content.decode()
        assert VipStatus.objects.count() == 2

    def test_delete_page_says_how_many_people_move(self, admin_client, default_status):
        exec_ = factories.vip_status("Executive")
        for i in range(3):
            factories.person(i, vip_status=exec_)
        page = admin_client.get(reverse("admin:vip_vipstatus_delete", args=[exec_.pk])).content.decode()
        assert "3 people hold this status" in page
        admin_client.post(reverse("admin:vip_vipstatus_delete", args=[exec_.pk]), {"post": "yes", "change_reason": "r"})
        assert Person.objects.filter(vip_status=default_status).count() == 3

    def test_renaming_default_warns_first_then_saves(self, admin_client, default_status):
        url = reverse("admin:vip_vipstatus_change", args=[default_status.pk])
        data = {"name": "Normal", "colour": default_status.colour, "is_default": "on", "change_reason": "rename"}
        first = admin_client.post(url, data)
        assert first.status_code == 200
        assert "not recommended" in first.content.decode()
        default_status.refresh_from_db()
        assert default_status.name == "Standard"
        second = admin_client.post(url, {**data, "confirm_default_rename": "True"})
        assert second.status_code == 302
        default_status.refresh_from_db()
        assert default_status.name == "Normal"

    def test_making_default_in_admin_unsets_old(self, admin_client, default_status):
        exec_ = factories.vip_status("Executive")
        url = reverse("admin:vip_vipstatus_change", args=[exec_.pk])
        data = {"name": "Executive", "colour": "#B42318", "is_default": "on", "change_reason": "switch"}
        assert admin_client.post(url, data).status_code == 302
        assert VipStatus.objects.get(is_default=True) == exec_

    def test_unticking_default_is_a_field_error(self, admin_client, default_status):
        url = reverse("admin:vip_vipstatus_change", args=[default_status.pk])
        response = admin_client.post(url, {"name": "Standard", "colour": "#6E7781", "change_reason": "x"})
        assert response.status_code == 200
        assert "is_default" in response.context["adminform"].form.errors

    def test_revert_asks_for_reason_and_adds_history_row(self, admin_client, default_status):
        exec_ = factories.vip_status("Executive", colour="#111111")
        first_version = history_of(exec_).first()
        from vip.services import vip_status_update

        vip_status_update(exec_, user=None, change_reason="recolour", colour="#222222")
        url = reverse("admin:vip_vipstatus_simple_history", args=[exec_.pk, first_version.history_id])
        data = {"name": "Executive", "colour": "#111111", "show_on_tickets": "on"}
        missing = admin_client.post(url, data)
        assert missing.status_code == 200
        exec_.refresh_from_db()
        assert exec_.colour == "#222222"
        done = admin_client.post(url, {**data, "change_reason": "undo recolour"})
        assert done.status_code == 302
        exec_.refresh_from_db()
        assert exec_.colour == "#111111"
        assert history_of(exec_).last().history_change_reason == "undo recolour"

    def test_history_page_shows_reason_user_and_diff(self, admin_client, default_status):
        exec_ = factories.vip_status("Executive", colour="#111111")
        from vip.services import vip_status_update

        vip_status_update(exec_, user=None, change_reason="recolour for contrast", colour="#222222")
        html = admin_client.get(reverse("admin:vip_vipstatus_history", args=[exec_.pk])).content.decode()
        assert "recolour for contrast" in html
        assert "#111111" in html and "#222222" in html

    def test_history_models_are_not_editable_in_admin(self):
        from django.contrib import admin

        assert VipStatus.history.model not in admin.site._registry


@pytest.mark.django_db
def test_audit_log_lists_changes_across_models(client, admin_user, default_status):
    client.force_login(admin_user)
    factories.vip_status("Executive")
    factories.person(0)
    html = client.get(reverse("audit-log")).content.decode()
    assert "Executive" in html and "Pat0 Doe0" in html
    filtered = client.get(reverse("audit-log"), {"model": "vip.vipstatus"}).content.decode()
    assert "Executive" in filtered and "Pat0 Doe0" not in filtered
