"""Paged lists: how many pages a list fills, which page a request may open, and where a
page sits in the whole list ("Showing 26 to 50 of 112")."""

from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """Pages that `total` rows fill at `per_page` a page; an empty list still has one."""
    return max(1, -(-total // per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """The page asked for, kept between the first and the last."""
    return min(max(page, 1), page_count(total, per_page))


class PageNumbers:
    """Shared by the page dataclasses: they have `total`, `page` and `per_page`, and a
    `shown` property saying how many rows this page holds (of whichever list it keeps)."""

    total: int
    page: int
    per_page: int
    shown: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def first_number(self) -> int:
        """The position of the page's first row in the whole list (1-based); 0 if empty."""
        return (self.page - 1) * self.per_page + 1 if self.shown else 0

    @property
    def last_number(self) -> int:
        return self.first_number + self.shown - 1 if self.shown else 0
