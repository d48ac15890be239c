from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def render_pagination(query, **context):
    request = RequestFactory().get("/list/", query)
    page = Paginator(range(120), 50).get_page(query.get(context.get("param", "page"), 1))
    return render_to_string("includes/pagination.html", {"page": page, **context}, request=request)


def test_page_links_keep_the_other_query_parameters():
    html = render_pagination({"status": "complete", "page": "2"})

    assert 'href="?status=complete&amp;page=3"' in html
    assert 'href="?status=complete&amp;page=1"' in html


def test_a_second_list_pages_with_its_own_parameter_and_keeps_the_first_lists_page():
    html = render_pagination({"page": "2", "ipage": "1"}, param="ipage")

    assert 'href="?page=2&amp;ipage=2"' in html


def test_a_single_page_renders_no_pagination():
    request = RequestFactory().get("/list/")
    page = Paginator(range(10), 50).get_page(1)

    assert "pagination" not in render_to_string(
        "includes/pagination.html", {"page": page}, request=request
    )
