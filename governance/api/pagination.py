from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    """Page-number pagination; callers may ask for up to 500 rows a page.

    Every viewset orders by a unique key last, so pages never overlap or skip.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
