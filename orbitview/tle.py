"""Two-line element sets: strict reading, validation, and choosing sets for an instant.

Every line is checked column by column against the NORAD layout (CelesTrak's "TLE format"
and Vallado et al. 2006, AIAA 2006-6753, appendix), so a corrupted set is refused with a
:class:`TLEError` naming the file, the line and the field instead of being silently misread.
Values the columns can hold but an orbit cannot (epoch day 000, an inclination of 181 deg, a
mean anomaly of 360 deg or more, a zero mean motion) are refused the same way, and any value
echoed in a message is cut short (``errors.shorten``), so a 50 MB line is never printed whole.
"""
from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sgp4.api import SGP4_ERRORS, Satrec
from skyfield.timelib import Time, compute_calendar_date

from .errors import DataError, EpochRangeError, OrbitviewError, PropagationError, TLEError, UnknownNameError, shorten
from .resources import tle_file
from .skydata import timescale

LINE_LENGTH = 69
MAX_NAME_LENGTH = LINE_LENGTH    # the format's name line is 24 characters; longer ones are not names
MODES = ("nearest", "blend")
STALE_AFTER_DAYS = 3.0         # SGP4 errors grow ~1-3 km/day for the ISS (Vallado 2006)
DEFAULT_MAX_AGE_DAYS = 30.0    # beyond this the prediction is not a reconstruction

_CATALOG = r"[0-9A-Z][0-9]{4}"  # digits, or Alpha-5 (a letter for the ten-thousands)
_EXP = r"[ +-][0-9]{5}[+-][0-9]"  # assumed-decimal mantissa with exponent, e.g. " 56997-4"
_ANGLE = r" *[0-9]+\.[0-9]{4}"     # right-justified: blanks lead, never inside the number
# (first column, last column) 1-based inclusive, field name, pattern.
_LINE1 = [
    (1, 1, "line number", r"1"), (3, 7, "catalog number", _CATALOG),
    (8, 8, "classification", r"[UCS]"), (10, 17, "international designator", r"[0-9 ]{5}[A-Z ]{3}"),
    (19, 20, "epoch year", r"[0-9]{2}"), (21, 32, "epoch day", r" *[0-9]+\.[0-9]{8}"),
    (34, 43, "first derivative of mean motion", r"[ +-]\.[0-9]{8}"),
    (45, 52, "second derivative of mean motion", _EXP), (54, 61, "drag term (B*)", _EXP),
    (63, 63, "ephemeris type", r"[0-9 ]"), (65, 68, "element set number", r"[ 0-9]{3}[0-9]"),
    (69, 69, "checksum", r"[0-9]"),
]
_LINE2 = [
    (1, 1, "line number", r"2"), (3, 7, "catalog number", _CATALOG),
    (9, 16, "inclination", _ANGLE), (18, 25, "right ascension of the node", _ANGLE),
    (27, 33, "eccentricity", r"[0-9]{7}"),
    (35, 42, "argument of perigee", _ANGLE), (44, 51, "mean anomaly", _ANGLE),
    (53, 63, "mean motion", r" ?[0-9]+\.[0-9]{8}"), (64, 68, "revolution number", r"[ 0-9]{4}[0-9]"),
    (69, 69, "checksum", r"[0-9]"),
]
_BLANK_COLUMNS = {1: (2, 9, 18, 33, 44, 53, 62, 64), 2: (2, 8, 17, 26, 34, 43, 52)}
# Line 2 angles: (first column, last column, field, largest value allowed, inclusive?). The
# eccentricity (assumed leading decimal point, digits only) and the mean motion (no sign column)
# cannot be >= 1 or negative once the layout is checked; a zero mean motion is refused below.
_ANGLES = [(9, 16, "inclination", 180.0, True), (18, 25, "right ascension of the node", 360.0, False),
           (35, 42, "argument of perigee", 360.0, False), (44, 51, "mean anomaly", 360.0, False)]


class StaleElementsWarning(UserWarning):
    """An element set is used more than a few days from its epoch: expect km-level errors."""


def checksum(line: str) -> int:
    """NORAD checksum of the first 68 columns: digits count their value, '-' counts 1."""
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def _check_line(text: str, number: int, path, lineno: int) -> None:
    if not isinstance(text, str):
        raise TLEError(path, lineno, f"line {number} is {type(text).__name__}: expected text (str)"
                       + (", decode it as ASCII first" if isinstance(text, (bytes, bytearray)) else ""))
    if len(text) != LINE_LENGTH:
        raise TLEError(path, lineno, f"line {number} has {len(text)} characters: expected {LINE_LENGTH}")
    layout = _LINE1 if number == 1 else _LINE2
    for first, last, field, pattern in layout:
        value = text[first - 1:last]
        if not re.fullmatch(pattern, value):
            raise TLEError(path, lineno, f"{field} {shorten(repr(value))} (columns {first}-{last}) is malformed")
    for col in _BLANK_COLUMNS[number]:
        if text[col - 1] != " ":
            raise TLEError(path, lineno, f"column {col} is {text[col - 1]!r}: expected a blank")
    if checksum(text) != int(text[68]):
        raise TLEError(path, lineno, f"checksum is {text[68]}: the line sums to {checksum(text)}")


def _check_values(line1: str, line2: str, path, lineno: int) -> None:
    """Refuse well-formed fields whose values no orbit has: one error, naming line and field."""
    two_digits = int(line1[18:20])
    year = two_digits + (1900 if two_digits >= 57 else 2000)   # NORAD's two-digit year rule
    days = 366 if calendar.isleap(year) else 365
    day = float(line1[20:32])
    if not 1.0 <= day < days + 1.0:
        raise TLEError(path, lineno, f"epoch day {line1[20:32].strip()} (columns 21-32) is out of range: "
                       f"expected 001 to {days} in {year}")
    for first, last, field, limit, inclusive in _ANGLES:
        value = float(line2[first - 1:last])
        if value > limit or (value == limit and not inclusive):
            bound = f"at most {limit:g}" if inclusive else f"below {limit:g}"
            raise TLEError(path, lineno + 1, f"{field} {value:.4f} deg (columns {first}-{last}) is out of "
                           f"range: expected {bound} deg")
    if float(line2[52:63]) <= 0.0:
        raise TLEError(path, lineno + 1, f"mean motion {line2[52:63].strip()} rev/day (columns 53-63) "
                       "must be positive")


@dataclass(frozen=True)
class ElementSet:
    """One validated element set, with its SGP4 record and where it came from."""

    name: str
    line1: str
    line2: str
    satrec: Satrec
    source: str = "<text>"
    lineno: int = 1

    @property
    def catalog(self) -> int:
        return self.satrec.satnum

    @property
    def epoch(self) -> Time:
        """The element set's epoch (UTC, per AIAA 2006-6753) as a skyfield ``Time``."""
        whole, fraction = divmod(self.satrec.jdsatepoch, 1.0)
        year, month, day = compute_calendar_date(whole)
        # As skyfield's EarthSatellite: Julian day numbers start at noon.
        return timescale().utc(year, month, day + 0.5 + fraction + self.satrec.jdsatepochF)

    def teme_km(self, jd_utc_whole: np.ndarray, jd_utc_fraction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw SGP4 TEME position (km) and velocity (km/s), ``(3, N)``, at UTC Julian dates.

        SGP4 failing at any instant (a decayed orbit, an eccentricity driven out of [0, 1)...)
        raises :class:`PropagationError` with the mask of the failed instants and SGP4's code
        and message for the first of them: no position is returned for a set that broke down,
        since the instants around a failure are not trustworthy either.
        """
        error, r, v = self.satrec.sgp4_array(jd_utc_whole, jd_utc_fraction)
        failed = error != 0
        if failed.any():
            code = int(error[failed][0])
            raise PropagationError(f"{shorten(self.name)} ({self.source}:{self.lineno})", failed, code,
                                   SGP4_ERRORS[code])
        return r.T, v.T

    @property
    def elements(self) -> tuple[float, ...]:
        """The mean elements SGP4 uses, to compare two sets for sameness."""
        s = self.satrec
        return (s.satnum, s.jdsatepoch, s.jdsatepochF, s.bstar, s.ndot, s.nddot, s.inclo,
                s.nodeo, s.ecco, s.argpo, s.mo, s.no_kozai)


def parse_lines(line1: str, line2: str, name: str = "", source: str = "<text>", lineno: int = 1) -> ElementSet:
    """Validate and parse one set given as two lines (``lineno`` is line 1's number, for errors)."""
    _check_line(line1, 1, source, lineno)
    _check_line(line2, 2, source, lineno + 1)
    if line1[2:7] != line2[2:7]:
        raise TLEError(source, lineno + 1, f"catalog number {line2[2:7]!r} differs from line 1's {line1[2:7]!r}")
    _check_values(line1, line2, source, lineno)
    satrec = Satrec.twoline2rv(line1, line2)
    if satrec.error:   # SGP4 already fails at the epoch: a defect of the set itself, so a TLEError
        raise TLEError(source, lineno, f"SGP4 cannot propagate this set even at its epoch "
                       f"(error {satrec.error}: {SGP4_ERRORS[satrec.error]})")
    return ElementSet(name.strip() or f"#{satrec.satnum}", line1, line2, satrec, str(source), lineno)


def parse(text: str, source: str = "<text>", problems: list[TLEError] | None = None) -> list[ElementSet]:
    """Every element set in ``text``: 2-line sets, or 3-line sets with a name line before them.

    The first problem raises :class:`TLEError`; given a ``problems`` list instead, every problem
    is appended to it and reading goes on with the next set (``orbitview tle check``).
    """
    def fail(error: TLEError) -> None:
        if problems is None:
            raise error
        problems.append(error)

    if not isinstance(text, str):
        fail(TLEError(source, None, f"element sets given as {type(text).__name__}: expected text (str)"))
        return []
    if not text.strip():
        fail(TLEError(source, None, "no element sets: the file is empty"))
        return []
    lines = text.splitlines()
    sets, name, i = [], "", 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.isascii() or not line.isprintable():
            fail(TLEError(source, i, "non-ASCII or control characters: expected plain ASCII element lines"))
            name = ""
        elif not line:
            continue
        elif line.startswith("1 "):
            follower = lines[i].rstrip() if i < len(lines) else None
            if follower is None or not follower.startswith("2 "):
                fail(TLEError(source, i, "line 1 is not followed by its line 2"))
            else:
                try:
                    sets.append(parse_lines(line, follower, name, source, i))
                except TLEError as error:
                    fail(error)
                i += 1
            name = ""
        elif line.startswith("2 "):
            fail(TLEError(source, i, "line 2 without a line 1 before it (lines swapped or missing?)"))
            name = ""
        elif len(line) > MAX_NAME_LENGTH:
            fail(TLEError(source, i, f"a line of {len(line):,} characters ({shorten(line, 20)}) is neither "
                          f"an element line nor a name (at most {MAX_NAME_LENGTH} characters)"))
            name = ""
        elif name:
            fail(TLEError(source, i - 1, f"name line {shorten(repr(name))} is not followed by an element set"))
            name = line
        else:
            name = line[2:] if line.startswith("0 ") else line
    if name:
        fail(TLEError(source, len(lines), f"name line {shorten(repr(name))} is not followed by an element set"))
    if not sets and problems is None:
        raise TLEError(source, None, "no element sets found")
    return sets


def read_text(path: str | Path) -> tuple[Path, str]:
    """The resolved path and ASCII text of an element file; unreadable or binary files raise."""
    resolved = tle_file(path)
    try:
        raw = resolved.read_bytes()
    except OSError as exc:
        raise TLEError(resolved, None, f"cannot read the file ({exc.strerror})") from None
    if b"\0" in raw:
        raise TLEError(resolved, None, "binary data: expected a text file of element sets")
    try:
        return resolved, raw.decode("ascii")
    except UnicodeDecodeError as exc:
        lineno = raw[: exc.start].count(b"\n") + 1
        raise TLEError(resolved, lineno, "non-ASCII bytes: expected plain ASCII element lines") from None


def load(path: str | Path) -> "TLEArchive":
    """Read and validate an element file (a path, or the name of one shipped with orbitview)."""
    resolved, text = read_text(path)
    return TLEArchive(parse(text, str(resolved)))


def check(path: str | Path) -> tuple[list[ElementSet], list[TLEError]]:
    """Every valid set of a file and every problem in it, without stopping at the first."""
    problems: list[TLEError] = []
    try:
        resolved, text = read_text(path)
    except TLEError as error:
        return [], [error]
    sets = parse(text, str(resolved), problems)
    if not sets and not problems:
        problems.append(TLEError(resolved, None, "no element sets found"))
    return sets, problems


def utc_jd(t: Time) -> tuple[np.ndarray, np.ndarray]:
    """Two-part UTC Julian dates ``(N,)``, exactly as skyfield feeds SGP4 (AIAA 2006-6753: UTC epochs).

    Anything but a ``Time``, and NaN instants, are refused here, before they reach numpy or SGP4.
    """
    if not isinstance(t, Time):
        raise OrbitviewError(f"instants given as {type(t).__name__}: expected a skyfield Time")
    whole = np.atleast_1d(t.whole).astype(float)
    fraction = np.atleast_1d(t.tai_fraction - t._leap_seconds() / 86400.0).astype(float)
    bad = ~np.isfinite(whole + fraction)
    if bad.any():
        raise OrbitviewError(f"{int(bad.sum())} of {bad.size} instants are not finite (NaN): "
                             "expected real times")
    return whole, fraction


def epoch_jd(sets: list[ElementSet]) -> np.ndarray:
    """Each set's epoch as one UTC Julian date (the order of ``sets``)."""
    return np.array([s.satrec.jdsatepoch + s.satrec.jdsatepochF for s in sets])


def nearest_epoch(epochs: np.ndarray, jd: np.ndarray) -> tuple[int, int, float]:
    """The instant farthest from every epoch: its index, its nearest set's index, the distance (days)."""
    distance = np.abs(jd[:, None] - epochs[None, :])
    worst = int(np.argmax(distance.min(axis=1)))
    nearest = int(np.argmin(distance[worst]))
    return worst, nearest, float(distance[worst, nearest])


def blend_weights(epochs: np.ndarray, jd: np.ndarray, mode: str) -> np.ndarray:
    """Per-set weights ``(n_sets, N)`` at UTC Julian dates ``jd``: the one rule for choosing sets.

    ``nearest`` gives all weight to the set closest in time; ``blend`` splits it between the two
    sets bracketing the instant, linearly in time, and falls back to nearest outside their span.
    ``epochs`` must be sorted.
    """
    n = len(epochs)
    weights = np.zeros((n, jd.size))
    nearest = np.argmin(np.abs(jd[None, :] - epochs[:, None]), axis=0)
    weights[nearest, np.arange(jd.size)] = 1.0
    if mode == "blend" and n > 1:
        after = np.searchsorted(epochs, jd)
        inside = (after > 0) & (after < n)
        i = np.nonzero(inside)[0]
        a = after[inside]
        w = (jd[inside] - epochs[a - 1]) / (epochs[a] - epochs[a - 1])
        weights[:, i] = 0.0
        weights[a - 1, i] = 1.0 - w
        weights[a, i] = w
    return weights


def check_mode(mode: str) -> str:
    """``mode`` if it is one of :data:`MODES`, else a :class:`DataError`."""
    if mode not in MODES:
        raise DataError(None, "mode", mode, " or ".join(repr(m) for m in MODES))
    return mode


def check_age(age_days: float, when: str, nearest: ElementSet, max_age_days: float, warn: bool = True) -> None:
    """Refuse an instant more than ``max_age_days`` from its nearest set; warn past a few days."""
    if age_days > max_age_days:
        raise EpochRangeError(
            f"{when} is {age_days:.1f} days from the nearest element set ({nearest.source}:"
            f"{nearest.lineno}); the limit is {max_age_days:g} days: load element sets nearer "
            "that date or raise max_age_days")
    if warn and age_days > STALE_AFTER_DAYS:
        warnings.warn(f"{when} is {age_days:.1f} days from the nearest element set "
                      f"({nearest.source}:{nearest.lineno}): expect km-level position errors",
                      StaleElementsWarning, stacklevel=3)


@dataclass(frozen=True)
class Selection:
    """The set(s) chosen for an instant, their weights, and how far the instant is from them."""

    sets: tuple[ElementSet, ...]
    weights: tuple[float, ...]
    epoch_distance_days: float   # to the nearest chosen set
    spread_km: float | None      # distance between the two bracketing sets' positions, if any


class TLEArchive:
    """Element sets of one or more satellites, chosen per instant by nearest epoch or blended."""

    def __init__(self, sets: list[ElementSet]):
        if not sets:
            raise TLEError(None, None, "no element sets")
        self.sets = sorted(sets, key=lambda s: (s.catalog, s.satrec.jdsatepoch + s.satrec.jdsatepochF))

    def __len__(self) -> int:
        return len(self.sets)

    def __iter__(self) -> Iterator[ElementSet]:
        return iter(self.sets)

    def catalogs(self) -> list[int]:
        return sorted({s.catalog for s in self.sets})

    def of(self, catalog: int | None = None) -> list[ElementSet]:
        """The sets of one satellite (the only one when ``catalog`` is None), oldest first."""
        known = [str(c) for c in self.catalogs()]
        where = ", ".join(sorted({s.source for s in self.sets}))
        if catalog is None:
            if len(known) > 1:
                raise UnknownNameError(f"satellite in {where}", "(none given)", known)
            return list(self.sets)
        chosen = [s for s in self.sets if s.catalog == catalog]
        if not chosen:
            raise UnknownNameError(f"catalog number in {where}", shorten(str(catalog)), known)
        return chosen

    def select(self, t: Time, catalog: int | None = None, mode: str = "blend",
               max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> Selection:
        """Choose the set(s) for the single instant ``t`` by :func:`blend_weights`.

        Blending reports the distance between the two bracketing sets' predictions at ``t`` as
        the uncertainty. Every refusal is an :class:`OrbitviewError`.
        """
        check_mode(mode)
        sets = self.of(catalog)
        whole, fraction = utc_jd(t)
        if whole.size != 1:
            raise OrbitviewError(f"select takes one instant: got {whole.size}")
        epochs = epoch_jd(sets)
        _, nearest, age = nearest_epoch(epochs, whole + fraction)
        check_age(age, t.utc_strftime("%Y-%m-%d %H:%M:%S UTC"), sets[nearest], max_age_days)
        weights = blend_weights(epochs, whole + fraction, mode)[:, 0]
        used = np.nonzero(weights)[0]
        chosen = tuple(sets[i] for i in used)
        spread = None
        if len(chosen) == 2:
            r0, _ = chosen[0].teme_km(whole, fraction)
            r1, _ = chosen[1].teme_km(whole, fraction)
            spread = float(np.linalg.norm(r0 - r1))
        return Selection(chosen, tuple(float(weights[i]) for i in used), age, spread)
