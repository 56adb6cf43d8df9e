"""The what-if's failure time T0 is styled like every other field and speaks the reader's
language: its label and help, the date-time formats it accepts, and its own message for a
time it cannot read (never a stock message, never a server error)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
FAIL = ["site:DC-MAIN", "site:DC-DR"]


def _page(client, at, language):
    response = client.get(
        "/analysis/whatif/", {"fail": FAIL, "at": at}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("language", "label", "message"),
    [
        ("en", "Failure time (T0)", "The failure time (T0) is not a date and time"),
        ("zh-hans", "故障时间（T0）", "故障时间（T0）不是有效的日期和时间"),
    ],
)
def test_it_refuses_an_unreadable_time_with_its_own_message(
    client_as, bank, language, label, message
):
    response = _page(client_as("manager", language), "yesterday at nine", language)
    html = response.content.decode()
    assert label in html and message in html
    assert 'class="form-control"' in str(response.context["form"]["at"])
    assert response.context.get("report") is None


def test_it_reads_the_readers_date_time_format(client_as, bank):
    """Chinese readers may type 2026/05/01 09:00 (Django's zh-hans input formats); the picker's
    ISO value works in every language. PAY breaches its 1 h RTO at 10:00 either way."""
    chinese = _page(client_as("manager", "zh-hans"), "2026/05/01 09:00", "zh-hans")
    assert chinese.context["report"].at.strftime("%Y-%m-%d %H:%M") == "2026-05-01 09:00"
    english = _page(client_as("manager", "en"), "2026-05-01T09:00", "en")
    assert english.context["report"].at == chinese.context["report"].at
