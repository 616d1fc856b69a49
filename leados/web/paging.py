"""Pages of long lists whose cost does not grow with how many rows match."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property


class BoundedPage(Page):
    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more


class BoundedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows (``cap=None``: counts them all).

    Within the cap it is Django's paginator. Past it, ``count`` is ``cap + 1``,
    ``is_capped`` is true, ``num_pages`` is ``None``, and pages go on for as long as
    there are rows: each page reads one row more than it shows to know whether another
    follows. Counting a broad search over a large organization then stops early instead
    of reading every match.
    """

    def __init__(self, object_list, per_page, *, cap: int | None):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if self.cap is None:
            return super().count
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.cap is not None and self.count > self.cap

    @cached_property
    def num_pages(self):
        return None if self.is_capped else super().num_pages

    def validate_number(self, number) -> int:
        if not self.is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer.") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1.")
        return number

    def page(self, number) -> Page:
        if not self.is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results.")
        return BoundedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)

    def get_page(self, number) -> Page:
        if not self.is_capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return self.page(1)
