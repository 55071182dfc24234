"""Reads shared by the people pages and the API."""

from django.db.models import QuerySet

from people.models import Person


def person_list(*, search: str = "", vip_status_id: int | None = None, active: bool | None = None) -> QuerySet[Person]:
    people = Person.objects.with_vip().search(search)
    if vip_status_id:
        people = people.filter(vip_status_id=vip_status_id)
    if active is not None:
        people = people.filter(active=active)
    return people
