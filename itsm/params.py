"""Query-string parameters read by pages, in one place, so that no typed or forged value can give a 500: numbers
that are ASCII digits within range, page numbers, dates that exist, and search text cut to a safe size."""

from __future__ import annotations

import datetime as dt
import re

# Ids and page numbers fit a 64-bit signed integer; beyond it databases refuse the value.
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
# A search is at most this many characters and words: enough for any real query, small enough that no database
# expression (SQLite's depth limit, LIKE chains) can overflow.
SEARCH_MAX_CHARS = 200
SEARCH_MAX_TERMS = 8
_DIGITS = re.compile(r"[0-9]{1,19}")


def int_param(value: str | None, *, default: int | None = None, maximum: int = MAX_ID) -> int | None:
    """A whole number from ASCII digits (a superscript or Arabic-Indic digit counts as not a number), or `default`."""
    text = (value or "").strip()
    if not _DIGITS.fullmatch(text):
        return default
    number = int(text)
    return number if number <= maximum else default


def page_param(value: str | None) -> int:
    return int_param(value, default=1, maximum=MAX_PAGE) or 1


def date_param(value: str | None) -> dt.date | None:
    """YYYY-MM-DD that exists (2026-02-30 does not), else None."""
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def search_param(value: str | None) -> str:
    """The search text, cut to SEARCH_MAX_CHARS characters and SEARCH_MAX_TERMS words, NUL characters removed."""
    text = (value or "").replace("\x00", " ")[:SEARCH_MAX_CHARS]
    return " ".join(text.split()[:SEARCH_MAX_TERMS])
