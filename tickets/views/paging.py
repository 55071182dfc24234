"""A paginator that never counts a whole table: it takes the capped total the queue computed (exact up to
`selectors.COUNT_CAP`), and past the cap offers a next page while the current one is full."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

from itsm.params import MAX_PAGE
from tickets.selectors import Total


class CappedPage(Page):
    def has_next(self) -> bool:
        if self.paginator.total.exact:
            return super().has_next()
        return len(self.object_list) == self.paginator.per_page


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, total: Total, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.total = total

    @cached_property
    def count(self) -> int:
        return self.total.value

    def validate_number(self, number):
        if self.total.exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if not 1 <= number <= MAX_PAGE:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        if self.total.exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        if number > 1 and not rows:
            raise EmptyPage("That page contains no results")
        return self._get_page(rows, number, self)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)
