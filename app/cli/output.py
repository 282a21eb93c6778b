"""What ``regdesk-cli`` writes: lines of text, one JSON object, progress and waiting notices.

With ``--json`` stdout carries exactly one JSON object and nothing else (DESIGN §7); messages for
the person go to stderr. Progress is drawn on stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import sys
import time
import unicodedata
from pathlib import Path

from app.tasks import waiting_message


def utf8_streams() -> None:
    """Chinese must survive a C/POSIX locale, a cp936 console or a pipe with no encoding set."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            if codecs.lookup(stream.encoding or "ascii").name != "utf-8" or stream.errors == "strict":
                stream.reconfigure(encoding="utf-8", errors="replace")
        except (LookupError, ValueError, io.UnsupportedOperation):
            pass


def json_default(value: object) -> object:
    """Dates as ISO text, paths as text, sets and tuples as lists; anything else (a NumPy number
    in the photo figures) by its text."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def emit_json(obj: dict) -> None:
    """The command's one JSON object, on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=json_default) + "\n")
    sys.stdout.flush()


class Output:
    """A command's two voices: ``say`` for its result on stdout, ``tell`` for the person on stderr
    (warnings, prompts, what went wrong), and ``emit`` for the ``--json`` object."""

    def __init__(self, json: bool = False) -> None:
        self.json = json

    def say(self, text: str = "") -> None:
        print(text)

    def tell(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def emit(self, obj: dict) -> None:
        emit_json(obj)


class Progress:
    """A one-line counter on stderr, redrawn at most ten times a second; silent off a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        count = f" {done}/{total}" if total else f" {done}"
        sys.stderr.write(f"\r{message}{count}\033[K")
        sys.stderr.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._drawn = False


class WaitNotice:
    """While a write waits for another writer (an import in the GUI, another command), say so on
    stderr once and then every ten seconds, so the command does not seem to hang."""

    def __init__(self) -> None:
        self._next = 1.0

    def __call__(self, waited: float) -> None:
        if waited >= self._next:
            print(waiting_message(waited), file=sys.stderr, flush=True)
            self._next = waited + 10.0


def local_time(at: dt.datetime) -> str:
    """Audit times are stored as naive UTC; people read local time."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def show_value(value: object) -> str:
    """A field's value as a person reads it: nothing for None, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def text_width(text: str) -> int:
    """Columns a terminal gives ``text``: two for each wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of a table whose columns line up in a terminal, Chinese text included."""
    widths = [max(text_width(v) for v in column) for column in zip(headers, *rows, strict=True)]
    return ["  ".join(v + " " * (w - text_width(v)) for v, w in zip(line, widths, strict=True)).rstrip()
            for line in (headers, *rows)]
