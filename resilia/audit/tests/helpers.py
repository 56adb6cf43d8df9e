"""Reading the audit log as a reader does: the page, then each row's change table opened."""

from __future__ import annotations

import re

LOG = "/audit/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def opened_log(client, params=None, **headers) -> str:
    """The log page followed by the change table of every row on it, each fetched from the
    address the row's disclosure loads it from (as htmx does when the row is opened)."""
    page = client.get(LOG, params or {}, **headers)
    assert page.status_code == 200
    body = page.content.decode()
    tables = []
    for url in re.findall(r'hx-get="(/audit/events/\d+/changes/)"', body):
        response = client.get(url, **HTMX, **headers)
        assert response.status_code == 200
        tables.append(response.content.decode())
    return body + "".join(tables)
