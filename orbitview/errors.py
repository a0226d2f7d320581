"""Exceptions a user can cause, each with a message that names what to fix.

The command line prints ``str(error)`` as one line and exits non-zero; anything that is not
an :class:`OrbitviewError` is a bug and keeps its traceback.
"""
from __future__ import annotations

from pathlib import Path


class OrbitviewError(Exception):
    """Base class for every error caused by input (files, names, options, instants)."""


class DataError(OrbitviewError):
    """A data file (TOML, element set) holds a value that cannot be used.

    The message reads ``FILE: FIELD = VALUE: expected WHAT`` so it can be acted on.
    """

    def __init__(self, path: str | Path | None, field: str, value: object, expected: str):
        self.path, self.field, self.value, self.expected = path, field, value, expected
        where = f"{path}: " if path is not None else ""
        shown = "missing" if value is _MISSING else f"= {shorten(repr(value))}"
        super().__init__(f"{where}{shorten(field)} {shown}: expected {expected}")


class TLEError(OrbitviewError):
    """An element set is malformed: the message names the file, the line and the problem."""

    def __init__(self, path: str | Path | None, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = str(path) if path is not None else "<text>"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {problem}")


class EpochRangeError(OrbitviewError):
    """An instant lies too far from every element set to trust SGP4 there."""


class PropagationError(OrbitviewError):
    """SGP4 failed for an element set at some instants (a decayed orbit, a negative mean motion...).

    ``failed`` is a boolean mask over the instants asked for; ``code`` and ``message`` are SGP4's
    own (``sgp4.api.SGP4_ERRORS``) for the first failed instant.
    """

    def __init__(self, source: str, failed, code: int, message: str):
        self.source, self.failed, self.code, self.message = source, failed, code, message
        super().__init__(f"{source}: SGP4 failed at {int(failed.sum())} of {failed.size} instants "
                         f"(error {code}: {message})")


class UnreachableOrbitError(OrbitviewError):
    """The vehicle cannot reach the target orbit: ``shortfall_m_s`` is the velocity it lacks."""

    def __init__(self, message: str, shortfall_m_s: float):
        self.shortfall_m_s = shortfall_m_s
        super().__init__(message)


class FramingError(OrbitviewError):
    """A camera cannot hold the bodies it is asked to frame."""


class EphemerisRangeError(OrbitviewError):
    """An instant outside the span of the shipped ephemeris (DE421: 1899-07-29 to 2053-10-09)."""


class UnknownNameError(OrbitviewError):
    """A scenario, site, vehicle, body or satellite name that is not known."""

    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {shorten(repr(name))}: expected one of {', '.join(sorted(known))}")


MAX_SHOWN_CHARS = 80     # a value longer than this is cut in messages (a 50 MB line is not echoed)


def shorten(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text``, or its start and its length when it is longer than ``limit`` characters."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class _Missing:
    def __repr__(self) -> str:
        return "missing"


_MISSING = _Missing()
MISSING = _MISSING
