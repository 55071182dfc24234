"""The people and service lists filter with their app's filterset, the API's own filters plus the page's names: a
filter the API has works on the page too, and a value that does not validate is left out while the rest apply."""

import pytest
from django.urls import reverse

from tests import factories
from tests.services import factories as service_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client


def listed(response) -> list:
    return list(response.context["object_list"])


def test_the_people_list_takes_the_apis_email_filter_and_its_own_names(analyst_client):
    pat, sam = factories.person(0), factories.person(1, active=False)
    url = reverse("people:list")
    assert listed(analyst_client.get(url, {"email": sam.email})) == [sam]
    assert listed(analyst_client.get(url, {"active": "no"})) == [sam]
    assert listed(analyst_client.get(url, {"active": "yes", "q": pat.first_name})) == [pat]


def test_a_bad_people_filter_is_left_out_and_the_others_still_apply(analyst_client):
    factories.person(0)
    sam = factories.person(1, active=False)
    response = analyst_client.get(reverse("people:list"), {"vip": "not-a-number", "active": "no"})
    assert response.status_code == 200
    assert listed(response) == [sam]


def test_the_instance_list_takes_the_apis_filters_and_its_own_names(slm_user, client):
    client.force_login(slm_user)
    first, second = service_factories.service_instance(0), service_factories.service_instance(1)
    url = reverse("services:instance_list")
    assert listed(client.get(url, {"group": second.customer_group_id})) == [second]
    assert listed(client.get(url, {"customer_group": first.customer_group_id})) == [first]
    response = client.get(url, {"service": "9" * 40, "level": "-1", "group": first.customer_group_id})
    assert response.status_code == 200
    assert listed(response) == [first]


def test_the_group_list_searches_by_name_and_drops_an_unknown_kind(slm_user, client):
    client.force_login(slm_user)
    service_factories.customer_group(0)
    finance = service_factories.customer_group(1, name="Finance")
    response = client.get(reverse("services:group_list"), {"q": "finan", "kind": "nonsense"})
    assert response.status_code == 200
    assert listed(response) == [finance]
