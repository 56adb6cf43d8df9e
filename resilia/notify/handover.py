"""Handing a message over: its record's COMMIT and the message's last bytes, back to back.

A peer keeps a message only once its last bytes arrive (SMTP's end-of-data line, the last
byte of a webhook's body); the database keeps the record "sent" only once its COMMIT
arrives. Whichever is written first, a worker killed between the two writes leaves them
disagreeing: the message lost (record first) or sent twice (message first). Exactly once
after a kill -9 therefore needs the two writes as close together as a process can put them.

In CPython a thread gives up the interpreter lock around each system call and waits to take
it back afterwards; with other lanes busy that wait (a switch interval, 5 ms by default) is
where a kill lands. Both writes here keep the lock: the COMMIT goes out through libpq's own
`PQsendQuery` and the last bytes through `write(2)`, both called through `ctypes.PyDLL`
(whose calls do not release the lock), one after the other from C (`map` over the two
calls), so no other thread runs and no bytecode is evaluated between them. What is left
between the COMMIT's write and the last bytes' write is a few microseconds of C.

The COMMIT's answer is then read through psycopg as any other, so the connection's state
stays psycopg's. On SQLite: the last bytes through write(2), then at once the sqlite3
connection's own commit; that module gives the lock up and takes it back once inside its
commit (between preparing the statement and running it), so a copy stays possible there,
rarely. Where neither can be done (a caller's transaction, a libpq not in reach) the last
bytes go just before the commit, with Python code between: a kill there sends the message
once more, with the same key. Over TLS the last bytes go through the TLS layer's code.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import operator
import select
import ssl
import sys

COMMIT = b"COMMIT"


class LastBytes:
    """The bytes that make a peer keep a message, on the socket they go out on."""

    def __init__(self, sock, data: bytes):
        self.sock = sock
        self.data = data

    def raw_writer(self):
        """A call writing the bytes with write(2), keeping the interpreter lock; None for a
        TLS socket (its bytes must go through the TLS layer)."""
        if isinstance(self.sock, ssl.SSLSocket) or _libc is None:
            return None
        return functools.partial(_libc.write, self.sock.fileno(), self.data, len(self.data))

    def send_rest(self, written: int) -> None:
        """Finish what a raw write left (none written: -1 or 0), through the socket."""
        if written < 0:
            if ctypes.get_errno() not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
                raise OSError(ctypes.get_errno(), "write of a message's last bytes failed")
            written = 0
        if written < len(self.data):
            self.sock.sendall(self.data[written:])

    def send_all(self) -> None:
        """Write them all, through write(2) where the socket allows (no thread switch after
        the write's system call: what follows it runs at once)."""
        writer = self.raw_writer()
        if writer is None:
            self.sock.sendall(self.data)
        else:
            self.send_rest(writer())


def _load_libc():
    try:
        libc = ctypes.PyDLL(None, use_errno=True)
        write = libc.write
    except (OSError, AttributeError):
        return None
    write.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
    write.restype = ctypes.c_ssize_t
    return libc


_libc = _load_libc()


@functools.cache
def _libpq():
    """psycopg's own libpq (the one its connections were made with), found among the
    libraries this process has loaded; None where that cannot be read (not Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "libpq" in line and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.PyDLL(path)
            send = lib.PQsendQuery
        except (OSError, AttributeError):
            continue
        send.argtypes = (ctypes.c_void_p, ctypes.c_char_p)
        send.restype = ctypes.c_int
        return lib
    return None


def commit_sender(conn):
    """A call sending COMMIT on the Django connection's libpq connection, keeping the
    interpreter lock; None if it cannot (not PostgreSQL through psycopg's libpq)."""
    if conn.vendor != "postgresql" or not sys.platform.startswith("linux"):
        return None
    pgconn = getattr(conn.connection, "pgconn", None)
    lib = _libpq() if pgconn is not None else None
    if lib is None:
        return None
    return functools.partial(lib.PQsendQuery, pgconn.pgconn_ptr, COMMIT)


def hand_over(send_commit, last: LastBytes) -> tuple[int, int]:
    """Write the COMMIT, then the last bytes, with nothing in between; returns what
    `PQsendQuery` returned (1: queued and pushed) and the bytes written (-1: none), the rest
    for `LastBytes.send_rest` to write."""
    writer = last.raw_writer()
    if writer is None:
        # Through TLS: `send_rest` writes them all, right after (its errors are handled as
        # those of a raw write).
        return send_commit(), 0
    queued, written = map(operator.call, (send_commit, writer))
    return queued, written


class Unended(Exception):  # noqa: N818 (a state, raised to be caught)
    """The record committed and the peer never had the last bytes (it went away)."""


def end_and_commit(last: LastBytes, commit) -> None:
    """SQLite: write the last bytes, then `commit` (the sqlite3 connection's own, which
    gives up the interpreter lock before its work, not after), with nothing in between.
    Raises Unended (from the OSError) if the bytes could not all be written."""
    writer = last.raw_writer()
    if writer is None:
        last.sock.sendall(last.data)
        commit()
        return
    written, _none = map(operator.call, (writer, commit))
    try:
        last.send_rest(written)
    except OSError as exc:
        raise Unended() from exc


def commit_answer(conn, timeout: float = 30.0) -> bool:
    """Read the COMMIT's answer on the connection; True if the transaction committed."""
    pgconn = conn.connection.pgconn
    while pgconn.flush():  # bytes libpq could not push at once (a full socket buffer)
        select.select([], [pgconn.socket], [], timeout)
    results = []
    while True:
        pgconn.consume_input()
        if not pgconn.is_busy():
            break
        if not select.select([pgconn.socket], [], [], timeout)[0]:
            raise TimeoutError("no answer to COMMIT")
    while (result := pgconn.get_result()) is not None:
        results.append(result)
    from psycopg import pq

    return bool(results) and all(
        r.status == pq.ExecStatus.COMMAND_OK and r.command_status == COMMIT for r in results
    )
