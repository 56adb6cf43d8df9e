"""Reading files a user hands in, within fixed limits of size, depth, expansion and time.

Every importer reads through these functions, so a hostile file (a zip bomb, a YAML "billion
laughs", a 100,000-deep JSON document, a key given twice) is refused with a translated message
in a bounded time and memory, instead of exhausting the process or ending in a traceback:

- `read_bounded(file, max_bytes)`: at most `max_bytes` of an upload or a file on disk;
- `check_zip(data)`: a zip archive's declared member sizes and compression ratios, checked
  before anything is unpacked (Python's zipfile never inflates a member beyond its declared
  size, so the declaration bounds what a reader can get);
- `load_yaml(text)` and `load_json(text)`: parsed without recursion beyond `MAX_DEPTH`, with
  YAML aliases and the expanded size bounded, and duplicate keys refused;
- `Deadline`: a time budget that a streaming reader checks as it goes.

They raise `ParseError`, whose `message` is for the user, with the line and column when known.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from typing import Any

import yaml
from django.utils.translation import gettext

# Nesting of mappings and lists. Real files are a handful of levels deep; the bound keeps
# every recursive consumer (the YAML composer, the JSON decoder, schema validators, copies)
# far from Python's recursion limit.
MAX_DEPTH = 64
# YAML aliases (*name) in one file, and values after expanding them: an alias repeats a whole
# subtree, so a few hundred bytes of nested aliases can stand for billions of values.
MAX_ALIASES = 100
MAX_NODES = 2_000_000
# Seconds one file may take to parse; checked while streaming, so a slow file stops early.
MAX_SECONDS = 30
# A zip archive (an XLSX workbook): members, their total unpacked size, the size of any one
# member that is parsed whole (shared strings, styles), and the compression ratio of members
# big enough for it to matter. Spreadsheet XML compresses 5 to 30 times; bombs 1,000 times.
MAX_ZIP_MEMBERS = 1_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
# Members that readers stream (the sheets) may each be as large as the whole allowance, but a
# streaming XML parser still holds one element whole: no row, and nothing between rows, may
# be longer than this (16,384 full cells are about 1 MB).
STREAMED_MEMBERS = re.compile(r"xl/worksheets/[^/]+\.xml")
MAX_ELEMENT_BYTES = 4 * 1024 * 1024
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]|</(?:[A-Za-z_][\w.-]*:)?row>")


class ParseError(Exception):
    """The file cannot be read within the limits, or is malformed; `message` is translated."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def where(self) -> str:
        """The message, prefixed with "line L, column C: " when the position is known."""
        if self.line is None:
            return self.message
        return gettext("line %(line)s, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column if self.column is not None else "?",
            "message": self.message,
        }


class Deadline:
    """A time budget: `check()` raises ParseError once `seconds` have passed since creation."""

    def __init__(self, seconds: float | None = None):
        self.seconds = MAX_SECONDS if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise ParseError(
                gettext(
                    "Reading the file took longer than %(seconds)s seconds; split it into"
                    " smaller files."
                )
                % {"seconds": f"{self.seconds:g}"}
            )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def too_large(max_bytes: int) -> str:
    return gettext("The file is larger than %(size)s MB; split it into smaller files.") % {
        "size": _mb(max_bytes)
    }


def read_bounded(file, max_bytes: int) -> bytes:
    """At most `max_bytes` of `file` (a file object, opened in binary or text mode, or a
    path); ParseError when it holds more. Never reads more than one byte past the limit."""
    if isinstance(file, str | bytes) or hasattr(file, "__fspath__"):
        with open(file, "rb") as handle:
            return read_bounded(handle, max_bytes)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise ParseError(too_large(max_bytes))
    return data


# ---------------------------------------------------------------------------------- zip


def check_zip(data: bytes, deadline: Deadline | None = None) -> None:
    """Refuse an archive whose members would unpack beyond the limits, before any is read,
    and a sheet with a row too long to stream.

    A damaged archive raises zipfile.BadZipFile, as zipfile itself would.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ParseError(
                gettext("The workbook has more than %(count)s parts; it is not a spreadsheet.")
                % {"count": f"{MAX_ZIP_MEMBERS:,}"}
            )
        total = 0
        for member in members:
            size = member.file_size
            total += size
            whole = not STREAMED_MEMBERS.fullmatch(member.filename)
            if total > MAX_UNPACKED_BYTES or (whole and size > MAX_MEMBER_BYTES):
                raise ParseError(
                    gettext(
                        "The workbook unpacks to more than %(size)s MB; split it into smaller"
                        " files."
                    )
                    % {"size": _mb(MAX_MEMBER_BYTES if whole else MAX_UNPACKED_BYTES)}
                )
            if size > RATIO_FLOOR and size > MAX_RATIO * max(member.compress_size, 1):
                raise ParseError(
                    gettext(
                        "Part “%(name)s” of the workbook is compressed more than %(ratio)s to"
                        " 1, which no real spreadsheet is; the file was refused."
                    )
                    % {"name": member.filename[:80], "ratio": MAX_RATIO}
                )
        for member in members:
            if STREAMED_MEMBERS.fullmatch(member.filename):
                _check_rows(archive, member, deadline or Deadline())


def _row_too_long() -> ParseError:
    return ParseError(
        gettext(
            "A row of the workbook is longer than %(size)s MB; it is not a spreadsheet Resilia"
            " can read."
        )
        % {"size": _mb(MAX_ELEMENT_BYTES)}
    )


def _check_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, deadline: Deadline) -> None:
    """Stream a sheet's XML once and refuse it if any row (or the XML before, between or after
    the rows) is longer than MAX_ELEMENT_BYTES, which a streaming parser would hold whole."""
    last = 0  # offset of the last row tag seen
    offset = 0  # offset of `window` in the member
    window = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1024 * 1024):
            deadline.check()
            window += chunk
            for match in _ROW_TAG.finditer(window):
                if offset + match.start() - last > MAX_ELEMENT_BYTES:
                    raise _row_too_long()
                last = max(last, offset + match.start())
            if offset + len(window) - last > MAX_ELEMENT_BYTES:
                raise _row_too_long()
            # Keep a tail so that a tag cut by the chunk boundary is found in the next round.
            keep = min(len(window), 16)
            offset += len(window) - keep
            window = window[-keep:]


# --------------------------------------------------------------------------------- YAML


def _loader():
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _at(mark) -> dict[str, int | None]:
    if mark is None:
        return {"line": None, "column": None}
    return {"line": mark.line + 1, "column": mark.column + 1}


def _too_deep(max_depth: int, **where) -> ParseError:
    return ParseError(
        gettext("the data is nested more than %(max)s levels deep") % {"max": max_depth},
        **where,
    )


def _too_big(max_nodes: int, **where) -> ParseError:
    return ParseError(
        gettext("the file expands to more than %(max)s values; split it into smaller files")
        % {"max": f"{max_nodes:,}"},
        **where,
    )


def _duplicate(key: str, **where) -> ParseError:
    return ParseError(
        gettext("the key “%(key)s” appears twice in the same mapping") % {"key": key[:80]},
        **where,
    )


class _Frame:
    __slots__ = ("anchor", "is_map", "keys", "size", "want_key")

    def __init__(self, anchor: str | None, is_map: bool):
        self.anchor, self.is_map = anchor, is_map
        self.keys: set[str] = set()
        self.size = 1
        self.want_key = True


def _scan_yaml(
    text: str, max_depth: int, max_aliases: int, max_nodes: int, deadline, loader
) -> None:
    """Walk the event stream (flat, no recursion) before anything is built: depth, aliases,
    the size each alias expands to, and duplicate keys."""
    stack: list[_Frame] = []
    anchored: dict[str, int] = {}  # anchor -> expanded size of its node
    aliases = 0

    def add(size: int, key: str | None, event) -> None:
        if not stack:
            return
        frame = stack[-1]
        frame.size += size
        if frame.size > max_nodes:
            raise _too_big(max_nodes, **_at(event.start_mark))
        if frame.is_map:
            if frame.want_key and key is not None:
                if key in frame.keys:
                    raise _duplicate(key, **_at(event.start_mark))
                frame.keys.add(key)
            frame.want_key = not frame.want_key

    for count, event in enumerate(yaml.parse(text, Loader=loader)):
        if count % 4096 == 0:
            deadline.check()
        if isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                anchored[event.anchor] = 1
            add(1, event.value, event)
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                raise ParseError(
                    gettext("the file uses more than %(max)s aliases (*name); write the values out")
                    % {"max": max_aliases},
                    **_at(event.start_mark),
                )
            add(anchored.get(event.anchor, 1), None, event)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= max_depth:
                raise _too_deep(max_depth, **_at(event.start_mark))
            stack.append(_Frame(event.anchor, isinstance(event, yaml.MappingStartEvent)))
        elif isinstance(event, yaml.CollectionEndEvent):
            frame = stack.pop()
            if frame.anchor:
                anchored[frame.anchor] = frame.size
            add(frame.size, None, event)


def _yaml_syntax(exc: yaml.YAMLError) -> ParseError:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    return ParseError(
        gettext("this is not valid YAML (%(reason)s)") % {"reason": reason},
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


def load_yaml(
    text: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
    deadline: Deadline | None = None,
) -> Any:
    """Parse one YAML document with the safe loader, within the limits; ParseError if not."""
    deadline = deadline or Deadline()
    limits = (max_depth, max_aliases, max_nodes, deadline)
    try:
        _scan_yaml(text, *limits, _loader())
    except yaml.YAMLError as exc:
        error = exc
        if _loader() is not yaml.SafeLoader:
            # libyaml words syntax errors tersely; the pure parser, stopping at the same
            # place, says what it expected and found.
            try:
                _scan_yaml(text, *limits, yaml.SafeLoader)
            except yaml.YAMLError as pure:
                error = pure
        raise _yaml_syntax(error) from None
    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - the safe loader
    except yaml.YAMLError as exc:
        raise _yaml_syntax(exc) from None


# --------------------------------------------------------------------------------- JSON

# A string (with its escapes) or a bracket: brackets inside strings do not count.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _line_column(text: str, index: int) -> dict[str, int]:
    line = text.count("\n", 0, index) + 1
    return {"line": line, "column": index - (text.rfind("\n", 0, index) + 1) + 1}


def load_json(
    text: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    deadline: Deadline | None = None,
) -> Any:
    """Parse JSON within the limits, refusing duplicate keys; ParseError if not."""
    deadline = deadline or Deadline()
    depth = 0
    for count, match in enumerate(_JSON_TOKEN.finditer(text)):
        if count % 65536 == 0:
            deadline.check()
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise _too_deep(max_depth, **_line_column(text, match.start()))
        elif token in "]}":
            depth -= 1
    nodes = 0

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal nodes
        nodes += len(items) + 1
        if nodes > max_nodes:
            raise _too_big(max_nodes)
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _duplicate(key)
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ParseError(
            gettext("this is not valid JSON (%(reason)s)") % {"reason": exc.msg},
            line=exc.lineno,
            column=exc.colno,
        ) from None
