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
        shown = "missing" if value is _MISSING else f"= {value!r}"
        super().__init__(f"{where}{field} {shown}: expected {expected}")


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


class UnknownNameError(OrbitviewError):
    """A scenario, site, vehicle, body or satellite name that is not known."""

    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {name!r}: expected one of {', '.join(sorted(known))}")


class _Missing:
    def __repr__(self) -> str:
        return "missing"


_MISSING = _Missing()
MISSING = _MISSING
