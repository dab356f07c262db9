"""Pagination of every API list: `count`, `next`, `previous`, `results`."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=2&page_size=100`: 50 rows a page by default, at most 200 (the pages' sizes)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
