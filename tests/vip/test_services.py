import pytest
from django.core.exceptions import ValidationError

from itsm.services import ConflictError
from people.models import Person
from tests import factories
from tests.base import history_of
from vip import services
from vip.models import VipStatus, contrast_text_colour
from vip.selectors import vip_status_get_default


def positions():
    return list(VipStatus.objects.order_by("position").values_list("name", "position"))


@pytest.mark.django_db
class TestDefault:
    def test_first_migration_made_standard_the_default(self, default_status):
        assert default_status.name == "Standard"
        assert VipStatus.objects.filter(is_default=True).count() == 1

    def test_database_refuses_a_second_default(self, default_status):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            VipStatus.objects.create(name="Other", position=9, is_default=True)

    def test_new_default_unsets_old_in_same_transaction_with_history_on_both(self, default_status):
        exec_ = factories.vip_status("Executive")
        services.vip_status_update(exec_, user=None, change_reason="exec is the norm", is_default=True)
        default_status.refresh_from_db()
        assert not default_status.is_default
        assert VipStatus.objects.get(is_default=True) == exec_
        assert history_of(exec_).last().history_change_reason == "exec is the norm"
        assert "exec is the norm" in history_of(default_status).last().history_change_reason

    def test_create_as_default_moves_the_default(self, default_status):
        board = services.vip_status_create(user=None, change_reason="r", name="Board", is_default=True)
        assert VipStatus.objects.get(is_default=True) == board

    def test_cannot_delete_default(self, default_status):
        with pytest.raises(ConflictError, match="default"):
            services.vip_status_delete(default_status, user=None, change_reason="try")
        assert VipStatus.objects.filter(pk=default_status.pk).exists()

    def test_reason_required(self, default_status):
        with pytest.raises(ValidationError) as error:
            services.vip_status_create(user=None, change_reason="  ", name="X")
        assert "change_reason" in error.value.message_dict
        assert not VipStatus.objects.filter(name="X").exists()

    def test_default_recreated_when_flushed(self, db):
        VipStatus.objects.all().delete()
        status = vip_status_get_default()
        assert status.is_default and status.name == "Standard"


@pytest.mark.django_db
class TestOrder:
    @pytest.fixture
    def four(self, default_status):
        return [default_status] + [factories.vip_status(n) for n in ("Executive", "Critical Role", "High Impact")]

    def test_new_status_goes_last(self, four):
        assert positions() == [("Standard", 1), ("Executive", 2), ("Critical Role", 3), ("High Impact", 4)]

    def test_move_up_renumbers_and_records_each_change(self, four):
        services.vip_status_move(four[3], position=2, user=None)
        assert positions() == [("Standard", 1), ("High Impact", 2), ("Executive", 3), ("Critical Role", 4)]
        assert history_of(four[3]).last().history_change_reason == "moved from 4 to 2"
        assert "shifted from 2 to 3" in history_of(four[1]).last().history_change_reason
        assert history_of(four[0]).count() == 1  # untouched rows get no history row

    @pytest.mark.parametrize(
        ("direction", "expected"),
        [
            ("top", ["Critical Role", "Standard", "Executive", "High Impact"]),
            ("up", ["Standard", "Critical Role", "Executive", "High Impact"]),
            ("down", ["Standard", "Executive", "High Impact", "Critical Role"]),
            ("bottom", ["Standard", "Executive", "High Impact", "Critical Role"]),
        ],
    )
    def test_move_buttons(self, four, direction, expected):
        services.vip_status_move_by(four[2], direction=direction, user=None)
        assert [name for name, _ in positions()] == expected
        assert [p for _, p in positions()] == [1, 2, 3, 4]

    def test_move_top_at_top_is_a_no_op(self, four):
        services.vip_status_move_by(four[0], direction="up", user=None)
        assert history_of(four[0]).count() == 1

    def test_delete_keeps_positions_contiguous(self, four):
        services.vip_status_delete(four[1], user=None, change_reason="merged")
        assert positions() == [("Standard", 1), ("Critical Role", 2), ("High Impact", 3)]

    def test_delete_moves_holders_to_default_with_reason(self, four):
        people = [factories.person(i, vip_status=four[2]) for i in range(3)]
        moved = services.vip_status_delete(four[2], user=None, change_reason="retired level")
        assert moved == 3
        assert set(Person.objects.values_list("vip_status", flat=True)) == {four[0].pk}
        for p in people:
            assert "retired level" in history_of(p).last().history_change_reason

    def test_move_never_rewrites_people(self, four, django_assert_max_num_queries):
        for i in range(5):
            factories.person(i, vip_status=four[1])
        before = Person.history.count()
        services.vip_status_move(four[1], position=4, user=None)
        assert Person.history.count() == before


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#000000", "#ffffff"),
        ("#FFFFFF", "#000000"),
        ("#B42318", "#ffffff"),
        ("#F79009", "#000000"),
        ("#fff", "#000000"),
    ],
)
def test_badge_text_colour_has_contrast(colour, text):
    assert contrast_text_colour(colour) == text
