"""Article lists paged without counting them: newer and older pages, no total.

Counting every published article for "page 3 of 5,000" cost a listing more than the page itself
(an index scan of 100,000 rows per render), and readers of a news site page back a few steps at
most. A page fetches one row more than it shows to know whether an older page exists.
"""

from dataclasses import dataclass


@dataclass
class ListingPage:
    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def listing_page(queryset, requested, *, per_page: int, last_number: int | None = None):
    """Page `requested` (1 when missing or not a number); an empty page past the end, or past
    `last_number` when the list offers no more pages than that."""
    try:
        number = max(int(requested), 1)
    except (TypeError, ValueError):
        number = 1
    if last_number is not None and number > last_number:
        return ListingPage(object_list=[], number=number, has_next=False)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    has_next = len(rows) > per_page and (last_number is None or number < last_number)
    return ListingPage(object_list=rows[:per_page], number=number, has_next=has_next)
