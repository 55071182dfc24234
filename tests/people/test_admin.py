"""The person and team admins: add, change and delete with a change reason (the admin battery)."""

from people.models import Person, Team
from tests import factories
from tests.base import AdminBattery
from vip.selectors import vip_status_get_default


class TestPersonAdmin(AdminBattery):
    model = Person

    def make(self, index):
        return factories.person(index)

    def admin_add_data(self):
        return {"first_name": "Ada", "last_name": "L", "vip_status": vip_status_get_default().pk, "active": "on"}

    def admin_change_data(self, obj):
        return {"first_name": obj.first_name, "last_name": "Changed", "vip_status": obj.vip_status_id, "active": "on"}


class TestTeamAdmin(AdminBattery):
    model = Team

    def make(self, index):
        return factories.team(index)

    def admin_add_data(self):
        return {"name": "NOC", "active": "on"}

    def admin_change_data(self, obj):
        return {"name": obj.name, "description": "d", "active": "on"}
