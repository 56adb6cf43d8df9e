"""The page shell: header search, home cards, error pages and the favicon, in both languages."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _placeholder(html: str) -> str:
    return re.search(r'<input type="search" name="q"[^>]*placeholder="([^"]*)"', html).group(1)


@pytest.mark.parametrize(("headers", "expected"), [(ZH, "搜索…"), (EN, "Search…")])
def test_it_keeps_the_header_search_placeholder_short(client_for, org_tree, headers, expected):
    html = client_for("manager").get("/", **headers).content.decode()
    assert _placeholder(html) == expected


def test_it_capitalises_the_home_cards_in_english(client_for, org_tree, people):
    html = client_for("manager").get("/", **EN).content.decode()
    assert ">Units</a>" in html and ">People</a>" in html
    assert ">units</a>" not in html and ">people</a>" not in html


@pytest.mark.parametrize(
    ("persona", "url", "status", "zh", "en"),
    [
        ("coord_a", "/org/people/999999/", 404, "页面不存在", "Page not found"),
        ("auditor", "/org/people/new/", 403, "无权访问", "Access denied"),
    ],
)
def test_it_titles_error_pages_in_words(client_for, people, persona, url, status, zh, en):
    client = client_for(persona)
    for headers, heading in ((ZH, zh), (EN, en)):
        response = client.get(url, **headers)
        assert response.status_code == status
        html = response.content.decode()
        assert f"<title>{heading}" in html
        assert re.search(rf"<h2 class=\"page-title\">\s*{heading}\s*</h2>", html), html
        assert f'<div class="empty-header">{status}</div>' in html


def test_it_serves_a_favicon_and_links_it_from_every_page(client, client_for, org_tree):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/core/favicon.svg"
    assert finders.find("core/favicon.svg")
    html = client_for("manager").get("/").content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in html


def test_it_says_in_the_search_tooltip_what_the_search_looks_in(client_for, personas):
    """Issue 7 item 6: the tooltip named four kinds though the search covers every register
    the reader may read; it now lists them, in the reader's language."""
    page = client_for("manager").get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    title = re.search(r'type="search" name="q"[^>]*title="([^"]*)"', page).group(1)
    assert title.startswith("按名称或编码搜索") and "组织单元" in title and "资源" in title
    page = client_for("manager").get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    title = re.search(r'type="search" name="q"[^>]*title="([^"]*)"', page).group(1)
    assert title.startswith("Search ") and "activities" in title and "by name or code" in title
