"""A paginator for tables with millions of rows: it never runs ``COUNT(*)``.

Counting a million call records on every admin page view costs more than showing them. This
paginator fetches one row more than a page holds: that is enough to know whether a next page
exists. It reports a lower bound as its ``count`` (rows up to and including the look-ahead row),
so Django's admin shows "previous / next" links without ever counting the table. The admin's
pagination template for these models says "page N" instead of a total.

Nor does it ever read deep: page N costs an OFFSET of N × page size rows, so pages past
``MAX_PAGE`` are not served (``HugeTableMixin`` answers them with a message to filter instead),
and the last page served has no "next" link.
"""

from __future__ import annotations

from django.core.paginator import InvalidPage, Page, Paginator
from django.utils.functional import cached_property

# The deepest admin page served: an OFFSET of at most 99 pages (9,900 rows at 100 a page).
MAX_PAGE = 100


class LookaheadPaginator(Paginator):
    def __init__(self, object_list, per_page, *, page_number: int = 1, query=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.requested_page = min(MAX_PAGE, max(1, page_number))
        self.query = query  # the request's QueryDict, to build previous/next links

    def _link(self, number: int) -> str:
        from django.contrib.admin.views.main import PAGE_VAR

        params = self.query.copy() if self.query is not None else {}
        params[PAGE_VAR] = str(number)
        return "?" + params.urlencode() if hasattr(params, "urlencode") else f"?{PAGE_VAR}={number}"

    @property
    def previous_link(self) -> str:
        return self._link(self.requested_page - 1) if self.requested_page > 1 else ""

    @property
    def next_link(self) -> str:
        return self._link(self.requested_page + 1) if self.has_more else ""

    @cached_property
    def _window(self) -> list:
        offset = (self.requested_page - 1) * self.per_page
        return list(self.object_list[offset : offset + self.per_page + 1])

    @cached_property
    def count(self) -> int:
        """Rows before the requested page plus what it (and one row more) holds."""
        return (self.requested_page - 1) * self.per_page + len(self._window)

    @property
    def has_more(self) -> bool:
        return len(self._window) > self.per_page and self.requested_page < MAX_PAGE

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if number != self.requested_page:
            raise InvalidPage("Only the requested page is available.")
        return self._get_page(self._window[: self.per_page], number, self)


def lookahead_paginator(request, queryset, per_page: int) -> LookaheadPaginator:
    """Build the paginator for an admin changelist (page number from ``?p=``)."""
    from django.contrib.admin.views.main import PAGE_VAR

    try:
        number = int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        number = 1
    return LookaheadPaginator(queryset, per_page, page_number=number, query=request.GET)
