"""Pagination shared by the list pages: a page object plus the query string without the page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PER_PAGE = 30


def paginate(request, queryset, *, per_page: int = PER_PAGE, param: str = "page") -> Page:
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    page.param = param
    page.keep = params.urlencode()
    return page
