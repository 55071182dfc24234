"""The demo people read like a real organisation: executive job titles hold the Executive VIP status."""

import io

import pytest

import people.seed
import vip.seed
from people.models import Person

pytestmark = pytest.mark.django_db


def test_demo_executives_hold_the_executive_status_and_only_they_do(admin_user):
    out = io.StringIO()
    for module in (vip.seed, people.seed):
        module.seed(user=admin_user, out=out)
    rows = list(Person.objects.filter(job_title__in=people.seed.TITLES).values_list("job_title", "vip_status__name"))
    executives = [status for title, status in rows if title in people.seed.EXECUTIVE_TITLES]
    assert executives and set(executives) == {"Executive"}
    assert "Executive" not in {status for title, status in rows if title not in people.seed.EXECUTIVE_TITLES}
