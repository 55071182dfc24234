"""Request parsing that refuses, with a 400, what would otherwise crash: JSON nested deeper than any real body."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.filters import SearchFilter
from rest_framework.parsers import JSONParser

from itsm.params import SEARCH_MAX_TERMS


class SafeJSONParser(JSONParser):
    """JSON whose nesting exhausts Python's recursion limit is a 400, not a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None


class CappedSearchFilter(SearchFilter):
    """`?search=` with at most SEARCH_MAX_TERMS words: each word becomes a condition per field, and a thousand of them
    overflow the database's expression limits (SQLite's depth of 1,000)."""

    def get_search_terms(self, request):
        return super().get_search_terms(request)[:SEARCH_MAX_TERMS]
