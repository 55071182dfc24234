"""The analyst edit pages share one audited form view: whatever the service refuses shows on the form, next to its
field when it names one, and nothing is saved; a save says what was saved and opens the record's page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from itsm.services import ConflictError
from people import services as people_services
from people.models import Person
from services.views import CustomerGroupEditView
from tests import factories
from tests.services import factories as service_factories

pytestmark = pytest.mark.django_db


def person_data(person: Person, **changes) -> dict:
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "vip_status": person.vip_status_id,
        "active": "on",
        "change_reason": "checking the form",
    }
    return {**data, **changes}


def refuse_with(error: Exception):
    def service(*args, **kwargs):
        raise error

    return service


def test_a_field_error_from_the_service_shows_next_to_that_field(client, cmdb_user, monkeypatch):
    client.force_login(cmdb_user)
    person = factories.person(0)
    monkeypatch.setattr(people_services, "person_update", refuse_with(ValidationError({"email": "Already in use."})))
    response = client.post(reverse("people:edit", args=[person.pk]), person_data(person, first_name="Changed"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Already in use."]
    assert 'value="Changed"' in response.content.decode()


def test_an_error_about_a_field_the_form_lacks_shows_at_the_top_instead_of_failing(client, cmdb_user, monkeypatch):
    client.force_login(cmdb_user)
    person = factories.person(0)
    monkeypatch.setattr(people_services, "person_update", refuse_with(ValidationError({"merged_into": "Not here."})))
    response = client.post(reverse("people:edit", args=[person.pk]), person_data(person))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Not here."]


def test_a_conflict_shows_at_the_top_and_saves_nothing(client, slm_user, monkeypatch):
    client.force_login(slm_user)
    group = service_factories.customer_group(0)
    name = group.name
    refusal = refuse_with(ConflictError("Someone else saved it."))
    monkeypatch.setattr(CustomerGroupEditView, "update", staticmethod(refusal))
    url = reverse("services:group_edit", args=[group.pk])
    data = {"name": "Renamed", "kind": group.kind, "change_reason": "rename"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Someone else saved it."]
    group.refresh_from_db()
    assert group.name == name


def test_a_save_says_what_was_saved_and_opens_the_record(client, cmdb_user):
    client.force_login(cmdb_user)
    person = factories.person(0)
    response = client.post(
        reverse("people:edit", args=[person.pk]), person_data(person, first_name="Changed"), follow=True
    )
    assert response.redirect_chain == [(person.get_absolute_url(), 302)]
    assert f"Saved Changed {person.last_name}." in response.content.decode()
