"""Walking every page of a list operation: follow ``iterator`` until ``done``, lazily."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Callable, Iterator, Optional, Set, TypeVar

from openapi_client.api_client import Call
from openapi_client.exceptions import PaginationError
from openapi_client.models import BackgroundTaskOut, ListResponseBackgroundTaskOut

ItemT = TypeVar("ItemT")


def at_cursor(call: Call[ItemT], cursor: Optional[str]) -> Call[ItemT]:
    """``call`` (a list operation) asking for the page after ``cursor``; every other parameter kept."""
    others = tuple((name, value) for name, value in call.query_params if name != "iterator")
    return dataclasses.replace(call, query_params=(("iterator", cursor), *others))


def iterate_pages(
    fetch: Callable[[Optional[str]], ListResponseBackgroundTaskOut],
) -> Iterator[BackgroundTaskOut]:
    """Yield every item of every page; the next page is fetched only when its first item is asked for.

    ``fetch(None)`` gets the first page and ``fetch(cursor)`` the page after ``cursor``. Between
    pages only the current page and the cursors already sent are kept, so a caller that stops
    iterating causes no further request.

    :raises PaginationError: a page that is not done is empty or has no cursor, or hands back
        a cursor already sent (the walk would never end).
    """
    sent: Set[str] = set()
    cursor: Optional[str] = None
    for number in itertools.count(1):
        page = fetch(cursor)
        yield from page.data
        if page.done:
            return
        where = f"page {number} is not the last one (done is false)"
        if not page.data:
            raise PaginationError(f"{where} but has no tasks; stopping instead of asking forever")
        if page.iterator is None:
            raise PaginationError(f"{where} but has no iterator to ask for the next page")
        if page.iterator in sent:
            raise PaginationError(f"{where} but hands back the iterator {page.iterator!r}, which was already "
                                  "used; stopping instead of looping forever")
        cursor = page.iterator
        sent.add(cursor)
        # Let go of this page before asking for the next: memory stays at one page.
        del page
