"""Shared fixtures: a small organisation and one user per persona (CONVENTIONS §11).

Tree: GRP (group) → CO (company) → DEPT-A (department) → A-TEAM (section)
                                 → DEPT-B (department)
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.test import Client

from resilia.accounts.models import Role, User
from resilia.core.context import request_context
from resilia.org import services as org

PASSWORD = "Correct-Horse-42!"

# Fixtures through which a test reaches the test database (pytest-django refuses any other
# test a query, so a test with none of them gives the same result on every database).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test ends back in the default language: one that activated another (a test
    client's request through the locale middleware, translation.override left open) must not
    decide which language the next test in the same process reads its messages in."""
    yield
    from django.utils import translation

    translation.deactivate()


def pytest_collection_modifyitems(config, items):
    """RESILIA_TESTS_DATABASE_ONLY=1 keeps only the tests that use the database.

    .ci/run sets it for its second run of the suite, on PostgreSQL: the others (the engine,
    parsers, settings, the CLI on a file database of its own) already ran on SQLite, and,
    CI making hypothesis derandomised, would run again exactly as they did. They count as
    deselected (under pytest-xdist the summary line does not show them).

    The browser journeys (tests/browser) are left out of that second run too: they test the
    pages' behaviour in Chromium, which the database does not change, while every query they
    make is also made by the page, API and service tests that do run on PostgreSQL; running
    them twice cost CI a third of its time budget. RESILIA_BROWSER_ON_POSTGRES=1 keeps them.

    So are the tests marked `one_database`, whose use of the database is incidental to what
    they check: the web permission tables (each page's decision by role is Python; the scope
    rules' queries run on PostgreSQL in the API permission table and the leak tests), the
    rendering of the offline plan pack, and the Redis variant of the task queue's tests.
    """
    import os

    if os.environ.get("RESILIA_TESTS_DATABASE_ONLY") != "1":
        return
    browser = os.environ.get("RESILIA_BROWSER_ON_POSTGRES") != "1"
    keep, skip = [], []
    for item in items:
        uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        if browser and "tests/browser/" in item.nodeid:
            uses = False
        if item.get_closest_marker("one_database"):
            uses = False
        (keep if uses else skip).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


@pytest.fixture
def org_tree(db):
    with request_context(source="test"):
        group = org.unit_create(
            actor=None, code="GRP", name="示例集团", name_en="Demo Group", kind="group"
        )
        company = org.unit_create(
            actor=None,
            code="CO",
            name="示例银行",
            name_en="Demo Bank",
            kind="company",
            parent=group,
        )
        dept_a = org.unit_create(
            actor=None,
            code="DEPT-A",
            name="信息科技部",
            name_en="IT Department",
            kind="department",
            parent=company,
        )
        team_a = org.unit_create(
            actor=None,
            code="A-TEAM",
            name="运维科",
            name_en="Operations",
            kind="team",
            parent=dept_a,
        )
        dept_b = org.unit_create(
            actor=None,
            code="DEPT-B",
            name="运营管理部",
            name_en="Operations Management",
            kind="department",
            parent=company,
        )
    return {
        "group": group,
        "company": company,
        "dept_a": dept_a,
        "team_a": team_a,
        "dept_b": dept_b,
    }


@contextmanager
def built_once(django_db_blocker):
    """Data built once for a whole module of tests, as Django's setUpTestData builds it.

    Use it in a module-scoped fixture: what is built inside is written in an outer
    transaction of the default database, each test's own transaction (the `db` fixture)
    becomes a savepoint inside it, so whatever a test changes is rolled back to the built
    data, and the outer transaction is rolled back when the module is done: the test
    database is left as empty as before. Not for `transaction=True` tests.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Code under test may open durable blocks: inside a test case's own transaction
        # Django allows them, and so here.
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def make_user(username, role, unit=None, person=None, **extra):
    user = User(
        username=username,
        role=role,
        unit=unit,
        person=person,
        email=f"{username}@example.com",
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def people(org_tree):
    with request_context(source="test"):
        alice = org.person_create(
            actor=None,
            full_name="张伟",
            employee_no="E001",
            unit=org_tree["dept_a"],
            email="zhang.wei@example.com",
            mobile="13800000001",
            is_key_person=True,
        )
        bob = org.person_create(
            actor=None,
            full_name="李娜",
            employee_no="E002",
            unit=org_tree["team_a"],
            mobile="13800000002",
        )
        carol = org.person_create(
            actor=None,
            full_name="王芳",
            employee_no="E003",
            unit=org_tree["dept_b"],
            mobile="13800000003",
        )
    return {"alice": alice, "bob": bob, "carol": carol}


@pytest.fixture
def personas(org_tree, people):
    """One user per role; coordinators and contributors scoped to a department."""
    return {
        "admin": make_user("admin", Role.ADMIN),
        "manager": make_user("manager", Role.BCM_MANAGER),
        "coord_a": make_user("coord_a", Role.COORDINATOR, unit=org_tree["dept_a"]),
        "coord_b": make_user("coord_b", Role.COORDINATOR, unit=org_tree["dept_b"]),
        "contrib_a": make_user(
            "contrib_a", Role.CONTRIBUTOR, unit=org_tree["dept_a"], person=people["bob"]
        ),
        "auditor": make_user("auditor", Role.AUDITOR),
        "executive": make_user("executive", Role.EXECUTIVE),
    }


@pytest.fixture
def client_for(personas):
    """client_for("coord_a") → a Django test client logged in as that persona."""

    def make(name: str) -> Client:
        client = Client()
        if name != "outsider":
            client.force_login(personas[name])
        return client

    return make


class _SMTPRecorder:
    """aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); Django's SMTP backend is pointed at it.

    `smtp_server.messages` lists the received messages as email.message.EmailMessage.
    """
    import logging
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _SMTPRecorder()
    # aiosmtpd logs each connection at INFO from its own thread, possibly once the test's
    # output capture is over: under pytest-xdist that stream is closed by then, and each
    # line became a "--- Logging error ---" traceback in the run's output.
    mail_log = logging.getLogger("mail.log")
    level = mail_log.level
    mail_log.setLevel(logging.WARNING)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    handler.controller = controller
    try:
        yield handler
    finally:
        controller.stop()
        mail_log.setLevel(level)
