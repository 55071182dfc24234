"""A ticket is found by any word of its title the moment it is logged, and no longer once that word is edited away:
the database keeps the index, nothing in the application has to remember to."""

import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsm.fulltext import parse
from tests import factories as base
from tickets import services
from tickets.search import search_tickets

pytestmark = pytest.mark.django_db

# Words as people type them: letters (accented, Greek, Cyrillic) and digits, two to twelve characters.
LETTERS = "abcdefghijklmnopqrstuvwxyzéèüöñçåžαβγдж0123456789"  # noqa: RUF001 Greek and Cyrillic on purpose
WORD = st.text(alphabet=st.sampled_from(LETTERS), min_size=2, max_size=12)
CALLERS = itertools.count(500)


def folded(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def hits(text: str) -> set[int]:
    return {t.pk for t in search_tickets(parse(text), user=None, limit=200)[0]}


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(words=st.lists(WORD, min_size=1, max_size=5, unique=True), pick=st.integers(min_value=0, max_value=4))
def test_found_by_any_title_word_after_logging_and_not_after_the_word_is_edited_away(default_status, words, pick):
    caller = base.person(next(CALLERS))
    ticket = services.ticket_create(user=None, change_reason="test", caller=caller, title=" ".join(words))
    word = words[pick % len(words)]
    assert ticket.pk in hits(word)
    assert ticket.pk in hits(word.upper())
    assert ticket.pk in hits(" ".join(reversed(words)))

    remaining = [w for w in words if w != word] or ["untitled"]
    services.ticket_update(ticket, user=None, change_reason="reworded", title=" ".join(remaining))
    # Gone for that word, unless a remaining word starts with it (a prefix still matches, accents aside).
    still_prefix = any(folded(w).startswith(folded(word)) for w in [*remaining, ticket.number.lower()])
    assert (ticket.pk in hits(word)) == still_prefix
