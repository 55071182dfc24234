"""Full-text search over people: name (weight A), e-mail (B) and phone (C, also as its digits alone, so that
`5551234567` finds "+1 (555) 123-4567"). The index is kept by the database (see the migration)."""

from __future__ import annotations

from itsm.fulltext import Field, FullTextIndex, SearchQuery, in_order
from people.models import Person

PERSON_INDEX = FullTextIndex("people_person", (Field("name", "A"), Field("email", "B"), Field("phone", "C")))

_SQLITE_DIGITS = "phone"
for _char in " -().+/":
    _SQLITE_DIGITS = f"replace({_SQLITE_DIGITS}, '{_char}', '')"

SQLITE_SOURCE = (
    "SELECT id, first_name || ' ' || last_name AS name, email, "
    f"phone || ' ' || {_SQLITE_DIGITS} AS phone FROM people_person"
)
PG_PARTS = (
    ("first_name || ' ' || last_name", "A"),
    ("email", "B"),
    ("phone || ' ' || regexp_replace(phone, '[^0-9]', '', 'g')", "C"),
)
WATCHED = ("first_name", "last_name", "email", "phone")


def search_people(query: SearchQuery, *, limit: int, offset: int = 0) -> tuple[list[Person], int]:
    """The best matching people (VIP status loaded), best first, and how many match."""
    ids, total = PERSON_INDEX.ranked(query, limit=limit, offset=offset)
    return in_order(Person.objects.with_vip(), ids), total
