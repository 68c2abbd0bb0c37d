"""A Django paginator told its count: the lists know how many rows they hold without another
COUNT(*) through the ownership check (the page from its status counts, the API from the
user's ownerships)."""

from collections.abc import Callable
from functools import cached_property

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    def __init__(self, *args, count: Callable[[], int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count() if self._count else Paginator.count.func(self)
