"""A message's hand-over: its record and its last bytes (the end-of-data line, a body's last
byte) go together or not at all (issue 12, item 8: "a worker killed with kill -9 in the
middle and restarted loses no message and sends none twice"; the kill itself is
test_kill.py). The peer here is one end of a socket pair: what it reads is what a server
would have been handed."""

from __future__ import annotations

import socket
import sys
import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from resilia.core.context import request_context
from resilia.notify import dispatch as dispatching
from resilia.notify import handover
from resilia.notify import services as notify
from resilia.notify.models import Attempt, Delivery
from resilia.notify.tests.conftest import T0

pytestmark = pytest.mark.django_db(transaction=True)

END = b".\r\n"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the hand-over's COMMIT is PostgreSQL's"
)


@pytest.fixture
def claimed(setup, people):
    """One delivery claimed by this worker, as a batch leaves it before its send."""
    with request_context(source="test"):
        send = notify.send_start(
            actor=None,
            title="演练",
            template=setup["tpl"],
            channels=[setup["email"]],
            people=[people["bob"]],
            now=T0,
        )
    (delivery,) = dispatching._claim(send.pk, T0)
    return delivery


@pytest.fixture
def peer():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def _sent(delivery, last):
    return dispatching._record_handing_over(
        delivery,
        last,
        attempt=(1, True, "", 5),
        status=Delivery.Status.SENT,
        attempts=1,
        sent_at=T0,
        duration_ms=5,
        error="",
    )


def _received(sock) -> bytes:
    sock.setblocking(False)
    try:
        return sock.recv(100)
    except BlockingIOError:
        return b""


def test_a_held_row_is_recorded_and_its_message_ended(claimed, peer):
    ours, theirs = peer
    assert _sent(claimed, handover.LastBytes(ours, END)) is True
    assert _received(theirs) == END
    row = Delivery.objects.get(pk=claimed.pk)
    assert (row.status, row.claim, row.attempts) == (Delivery.Status.SENT, None, 1)
    assert list(Attempt.objects.filter(delivery=row).values_list("ok", flat=True)) == [True]
    # The connection is psycopg's again, in its own state: a transaction opens on it.
    with transaction.atomic():
        assert Delivery.objects.filter(pk=row.pk, status="sent").exists()


def test_a_row_taken_back_gets_nothing_and_its_message_is_never_ended(claimed, peer):
    """Another worker's row now (taken back after the lease, claimed again): no record, no
    last bytes, so the peer discards the unfinished message."""
    ours, theirs = peer
    other = uuid.uuid4()
    Delivery.objects.filter(pk=claimed.pk).update(claim=other)
    assert _sent(claimed, handover.LastBytes(ours, END)) is False
    assert _received(theirs) == b""
    row = Delivery.objects.get(pk=claimed.pk)
    assert (row.status, row.claim) == (Delivery.Status.SENDING, other)
    assert not Attempt.objects.filter(delivery=row).exists()


def test_a_peer_gone_before_the_last_bytes_leaves_the_row_unsent(claimed, peer):
    """The peer never had the message's end: the row is not left saying sent, and the
    error reaches the transport (which records a retry)."""
    ours, theirs = peer
    theirs.close()
    with pytest.raises(OSError):
        _sent(claimed, handover.LastBytes(ours, END))
    row = Delivery.objects.get(pk=claimed.pk)
    assert (row.status, row.claim) == (Delivery.Status.SENDING, claimed.claim)
    assert not Attempt.objects.filter(delivery=row, ok=True).exists()


@postgres_only
def test_a_commit_refused_after_the_last_bytes_is_recorded_again(claimed, peer):
    """The message went and its record's COMMIT failed (here a deferred check that fails
    once): it is recorded again at once, not sent again later."""
    # The deferred trigger fires at COMMIT, after the statements had the row.
    ours, theirs = peer
    table = Attempt._meta.db_table
    with connection.cursor() as c:
        c.execute("CREATE SEQUENCE handover_commits")  # not rolled back with a transaction
        c.execute(
            "CREATE FUNCTION handover_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF nextval('handover_commits') = 1 THEN "
            "RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$"
        )
        c.execute(
            f"CREATE CONSTRAINT TRIGGER handover_fail_once AFTER INSERT ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION handover_fail_once()"
        )
    try:
        assert _sent(claimed, handover.LastBytes(ours, END)) is True
        assert _received(theirs) == END
        row = Delivery.objects.get(pk=claimed.pk)
        assert (row.status, row.claim) == (Delivery.Status.SENT, None)
        assert Attempt.objects.filter(delivery=row, ok=True).count() == 1
        with connection.cursor() as c:  # refused once, then committed
            c.execute("SELECT last_value FROM handover_commits")
            assert c.fetchone() == (2,)
    finally:
        with connection.cursor() as c:
            c.execute(f"DROP TRIGGER IF EXISTS handover_fail_once ON {table}")
            c.execute("DROP FUNCTION IF EXISTS handover_fail_once()")
            c.execute("DROP SEQUENCE IF EXISTS handover_commits")


@postgres_only
def test_nothing_runs_between_the_commit_and_the_last_bytes(peer):
    """The window a kill -9 could fall in: no other thread may take the interpreter between
    the COMMIT's write and the last bytes' write. A thread made runnable just before the
    hand-over (with a switch interval long enough that only a released lock lets it run)
    has not run when it returns; it runs at once after."""
    ours, theirs = peer
    ran, go, stop = threading.Event(), threading.Event(), threading.Event()

    def other_lane():
        while not stop.is_set():
            if go.wait(0.1):
                go.clear()
                ran.set()

    connection.ensure_connection()
    send_commit = handover.commit_sender(connection)
    assert send_commit is not None
    interval = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    lane = threading.Thread(target=other_lane)
    lane.start()
    try:
        for _ in range(20):
            with connection.cursor() as c:
                c.execute("BEGIN")
            ran.clear()
            go.set()
            queued, written = handover.hand_over(send_commit, handover.LastBytes(ours, END))
            assert not ran.is_set()
            assert (queued, written) == (1, len(END))
            assert handover.commit_answer(connection)
            assert ran.wait(5)  # once this thread waits, the other runs
    finally:
        stop.set()
        lane.join()
        sys.setswitchinterval(interval)
    assert _received(theirs) == END * 20
    with connection.cursor() as c:  # the connection answers as before
        c.execute("SELECT 1")
        assert c.fetchone() == (1,)


def test_a_fan_out_over_real_lanes_ends_every_message_once(setup, people):
    """Several lanes at once, each handing its messages over: every message arrives once,
    every row is sent with one successful attempt."""
    with request_context(source="test"):
        send = notify.send_start(
            actor=None,
            title="演练",
            template=setup["tpl"],
            channels=[setup["email"], setup["hook"]],
            people=[people["bob"], people["carol"], setup["dave"]],
        )
    counts = dispatching.dispatch(send.pk, parallel=3)
    assert counts["sent"] == 6, counts
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(setup["smtp"].messages) < 3:
        time.sleep(0.02)
    ids = [m["Message-ID"] for m in setup["smtp"].messages]
    assert len(ids) == len(set(ids)) == 3
    keys = [r["headers"]["Idempotency-Key"] for r in setup["receiver"].requests]
    assert len(keys) == len(set(keys)) == 3
    rows = Delivery.objects.filter(send=send)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert Attempt.objects.filter(delivery__send=send, ok=True).count() == 6


class MessageIds:
    """The Message-ID of each message an aiosmtpd server takes."""

    def __init__(self):
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        import email

        self.ids.append(email.message_from_bytes(envelope.content)["Message-ID"])
        return "250 Message accepted for delivery"


@pytest.fixture
def tls_smtp(tmp_path, monkeypatch):
    """A real SMTP server that requires STARTTLS, with a certificate for 127.0.0.1 that this
    test's processes trust (SSL_CERT_FILE, read by OpenSSL's default paths)."""
    import datetime as dt
    import ipaddress
    import ssl

    from aiosmtpd.controller import Controller
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = MessageIds()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


def test_over_starttls_every_message_is_ended_once(tls_smtp, setup, people):
    """A server that refuses mail before STARTTLS (as a bank's relay would): the lanes hand
    their messages over through the TLS layer, and each arrives once, its row sent."""
    with request_context(source="test"):
        channel = notify.channel_create(
            actor=None,
            name="加密邮件",
            kind="email",
            config={"host": "127.0.0.1", "port": tls_smtp.port, "from_email": "bcm@example.com",
                    "use_tls": True},
        )  # fmt: skip
        send = notify.send_start(
            actor=None,
            title="演练",
            template=setup["tpl"],
            channels=[channel],
            people=[people["alice"], people["bob"], people["carol"], setup["dave"]],
        )
    counts = dispatching.dispatch(send.pk, parallel=2)
    assert counts["sent"] == 4, counts
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(tls_smtp.ids) < 4:
        time.sleep(0.02)
    ids = tls_smtp.ids
    assert len(ids) == len(set(ids)) == 4
    rows = Delivery.objects.filter(send=send)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert Attempt.objects.filter(delivery__send=send, ok=True).count() == 4
