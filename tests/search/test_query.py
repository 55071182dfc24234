"""The one place user text becomes a full-text query: words only, capped, never an operator or a quote."""

import re

from hypothesis import given
from hypothesis import strategies as st

from itsm.fulltext import MAX_TERM_CHARS, MAX_TERMS, Field, FullTextIndex, SearchQuery, fts5_match, parse


def test_words_are_lower_cased_and_split_at_anything_not_a_letter_or_digit():
    assert parse("Printer-3rd FLOOR, pat@example.org").terms == ("printer", "3rd", "floor", "pat", "example", "org")


def test_operators_quotes_and_column_filters_are_only_separators():
    words = parse('"a" OR b* NOT (c) NEAR(d e) {title}: ^f -g + h').terms
    assert words == ("a", "or", "b", "not", "c", "near", "d", "e")  # capped at 8
    assert fts5_match(parse('printer" OR "*')) == '"printer"* AND "or"*'


def test_accented_words_keep_their_letters_for_the_database_to_fold():
    # Composed and decomposed forms are one word; the database folds the accent (on both sides of the match).
    assert parse("Cafe\u0301 Café").terms == ("café",)


def test_caps_terms_and_their_length():
    text = " ".join(f"w{i}" for i in range(50)) + " " + "x" * 5000
    query = parse(text)
    assert len(query.terms) == MAX_TERMS
    assert parse("y" * 5000).terms == ("y" * MAX_TERM_CHARS,)


def test_nothing_to_search_is_an_empty_query():
    for text in ("", "   ", '"*"', "\u0301\u0301", None, "-- ;; //", "\x00"):
        assert not parse(text)


def test_one_character_matches_whole_words_longer_ones_are_prefixes():
    assert fts5_match(parse("3 print")) == '"3" AND "print"*'
    assert fts5_match(parse("print jam"), ["title", "notes"]) == '{title notes} : "print"* AND {title notes} : "jam"*'


def test_postgresql_query_names_every_term_as_a_parameter_and_restricts_weights():
    index = FullTextIndex("t", (Field("title", "A"), Field("description", "B"), Field("notes", "C")))
    sql, params = index._pg_tsquery(parse("print 3"), ["title", "description"])
    assert sql.count("%s") == len(params) == 4
    assert params == ["print", ":*AB", "3", ":AB"]
    assert index._pg_tsquery(parse("print"), None)[1] == ["print", ":*"]


@given(st.text(max_size=300))
def test_any_text_gives_a_safe_query(text):
    query = parse(text)
    assert isinstance(query, SearchQuery)
    assert len(query.terms) <= MAX_TERMS
    for term in query.terms:
        assert 0 < len(term) <= MAX_TERM_CHARS
        assert not re.search(r"[\s\"'*:(){}^+\-]", term)
    match = fts5_match(query)
    assert match.count('"') == 2 * len(query.terms)
