"""Page arithmetic shared by every paged list."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.services.paging import PageNumbers, clamp_page, page_count


@dataclass(frozen=True)
class _Page(PageNumbers):
    rows: list[int]
    total: int
    page: int
    per_page: int

    @property
    def shown(self) -> int:
        return len(self.rows)


@pytest.mark.parametrize(
    ("total", "per_page", "pages"), [(0, 25, 1), (1, 25, 1), (25, 25, 1), (26, 25, 2), (112, 25, 5)]
)
def test_page_count_rounds_up_and_never_says_zero(total, per_page, pages):
    assert page_count(total, per_page) == pages


@pytest.mark.parametrize(("asked", "opened"), [(-3, 1), (0, 1), (1, 1), (3, 3), (5, 5), (9, 5)])
def test_a_page_out_of_range_opens_the_nearest_one(asked, opened):
    assert clamp_page(asked, 112, 25) == opened


def test_numbers_say_where_the_page_sits_in_the_whole_list():
    last = _Page(rows=list(range(12)), total=112, page=5, per_page=25)
    assert (last.pages, last.first_number, last.last_number) == (5, 101, 112)
    middle = _Page(rows=list(range(25)), total=112, page=2, per_page=25)
    assert (middle.first_number, middle.last_number) == (26, 50)


def test_an_empty_list_shows_nothing_from_nowhere():
    empty = _Page(rows=[], total=0, page=1, per_page=25)
    assert (empty.pages, empty.first_number, empty.last_number) == (1, 0, 0)
