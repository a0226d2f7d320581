"""Reading TOML data files (sites, vehicles, scenarios, windows) with validation on load.

Every accessor knows the file and the dotted path of the table it reads, so a bad value is
reported as ``vehicles/soyuz-fg.toml: stages.core.dry_mass_kg = -3: expected a number > 0``.
"""
from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any, Iterator

from .errors import MISSING, DataError


def load_toml(path: str | Path) -> "Table":
    """Parse ``path`` as TOML; unreadable or malformed files raise :class:`DataError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, "file", str(path), f"a readable TOML file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError(path, "file", "binary data", "UTF-8 TOML text") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(path, "file", "unparsable", f"valid TOML ({exc})") from None
    return Table(data, path)


class Table:
    """A TOML table that remembers where it came from, with typed, checked accessors."""

    def __init__(self, data: dict[str, Any], path: Path | None, prefix: str = ""):
        self.data, self.path, self.prefix = data, path, prefix
        self._read: set[str] = set()
        self._children: list[Table] = []

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(self, key: str, value: object, expected: str) -> DataError:
        """An error for ``key`` of this table (for checks the accessors cannot express)."""
        return DataError(self.path, self._name(key), value, expected)

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def keys(self) -> list[str]:
        return list(self.data)

    def reject_unknown(self) -> None:
        """Raise for the first field no accessor has read here or below: a misspelt key must not be
        silently ignored (call once the whole file has been read)."""
        for key in self.data:
            if key not in self._read:
                known = ", ".join(sorted(self._read)) or "none"
                raise self.error(key, self.data[key], f"a known field (unknown here; read: {known})")
        for child in self._children:
            child.reject_unknown()

    def _child(self, data: dict[str, Any], name: str) -> "Table":
        child = Table(data, self.path, name)
        self._children.append(child)
        return child

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            raise self.error(key, MISSING, "a value (the field is required)")
        return default

    def number(self, key: str, default: Any = MISSING, *, min: float | None = None,
               max: float | None = None, above: float | None = None) -> float:
        """A finite number, optionally bounded (``min``/``max`` inclusive, ``above`` strict)."""
        value = self._get(key, default)
        if value is None:
            return value
        bounds = []
        if min is not None:
            bounds.append(f">= {min:g}")
        if above is not None:
            bounds.append(f"> {above:g}")
        if max is not None:
            bounds.append(f"<= {max:g}")
        expected = "a number" + (" " + " and ".join(bounds) if bounds else "")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(key, value, expected)
        if ((min is not None and value < min) or (max is not None and value > max)
                or (above is not None and value <= above)):
            raise self.error(key, value, expected)
        return float(value)

    def string(self, key: str, default: Any = MISSING, *, choices: list[str] | None = None) -> str:
        value = self._get(key, default)
        if value is None:
            return value
        if not isinstance(value, str) or not value:
            raise self.error(key, value, "a non-empty string")
        if choices is not None and value not in choices:
            raise self.error(key, value, "one of " + ", ".join(choices))
        return value

    def boolean(self, key: str, default: Any = MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, value, "true or false")
        return value

    def numbers(self, key: str, default: Any = MISSING, *, length: int | None = None) -> list[float]:
        """A list of finite numbers, optionally of a fixed length."""
        value = self._get(key, default)
        expected = f"a list of {length} numbers" if length else "a list of numbers"
        if (not isinstance(value, list) or (length is not None and len(value) != length)
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           and math.isfinite(v) for v in value)):
            raise self.error(key, value, expected)
        return [float(v) for v in value]

    def strings(self, key: str, default: Any = MISSING) -> list[str]:
        """A non-empty list of non-empty strings (e.g. body names)."""
        value = self._get(key, default)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, value, "a non-empty list of non-empty strings")
        return list(value)

    def table(self, key: str, default: Any = MISSING) -> "Table":
        value = self._get(key, default)
        if value is None:
            return value
        if not isinstance(value, dict):
            raise self.error(key, value, "a table")
        return self._child(value, f"{self._name(key)}.")

    def tables(self, key: str, default: Any = MISSING) -> list["Table"]:
        """An array of tables (``[[key]]`` in TOML)."""
        value = self._get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, value, "an array of tables ([[%s]])" % key)
        return [self._child(v, f"{self._name(key)}[{i}].") for i, v in enumerate(value)]

    def items(self) -> Iterator[tuple[str, "Table"]]:
        """The sub-tables of this table, by key (for ``[stages.core]``-style maps)."""
        for key in self.data:
            yield key, self.table(key)
