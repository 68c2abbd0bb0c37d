"""Pages of the torrent list: `?page=` and `?page_size=` (up to 10,000 rows in one answer)."""

from collections.abc import Callable

from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from torrents.paging import CountedPaginator
from torrents.search.ranked import RankedPage

MAX_PAGE_SIZE = 10_000


class TorrentPagination(PageNumberPagination):
    """A bad `page_size` is a 400 that says why, not silently another size. The count comes
    from the view's `count()` when it has one (a user's list is counted without its join)."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """The page as the list answers it: the cursor always; `deleted` (and no count, next,
        previous) for a `changed_since` refresh."""
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["cursor", "results"]
        page["properties"]["cursor"] = {
            "type": "string",
            "description": "Send it back as `changed_since` for what changed since this answer.",
        }
        page["properties"]["deleted"] = {
            "type": "array",
            "items": {"type": "integer"},
            "description": "changed_since only: ids gone from your list since the cursor.",
        }
        return page

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [f"a whole number from 1 to {MAX_PAGE_SIZE:,}, not {raw!r}"]}
            )
        return size


def paginate_rows(
    pagination: TorrentPagination,
    queryset: QuerySet,
    request,
    *,
    build: Callable[[QuerySet], list],
    count: Callable[[], int] | None = None,
) -> list:
    """Like `paginate_queryset`, but `build` gets the page's queryset (a LIMIT/OFFSET still to
    run), so that rows can be read as values rather than model instances."""
    pagination.request = request
    paginator = CountedPaginator(queryset, pagination.get_page_size(request), count=count)
    _page_or_404(pagination, paginator, pagination.get_page_number(request, paginator))
    return build(pagination.page.object_list)


def _page_or_404(pagination: TorrentPagination, paginator, number) -> None:
    """Set the pagination's page `number`, or the list's 404 for a number past the end."""
    try:
        pagination.page = paginator.page(number)
    except InvalidPage as exc:
        raise NotFound(
            pagination.invalid_page_message.format(page_number=number, message=exc)
        ) from None


def paginate_ranked(
    pagination: TorrentPagination,
    request,
    *,
    read: Callable[[int, int], RankedPage],
    build: Callable[[list[int]], list],
) -> tuple[list, RankedPage]:
    """A page of a ranked search: `read(offset, limit)` gives the page's ids and the count in
    one query (torrents/search/ranked.py), so the page is read before the paginator checks
    its number (a number past the end is the same 404 as the list's); `build` makes the
    rows of those ids, in their order."""
    pagination.request = request
    size = pagination.get_page_size(request)
    number = request.query_params.get(pagination.page_query_param) or 1
    if number in pagination.last_page_strings:
        number = CountedPaginator([], size, count=lambda: read(0, 1).count).num_pages
    try:
        offset = max(int(number) - 1, 0) * size
    except (TypeError, ValueError):
        offset = 0  # not a number: the paginator says so below
    found = read(offset, size)
    _page_or_404(pagination, CountedPaginator([], size, count=lambda: found.count), number)
    return build(found.ids), found
