"""A manifest: a list of upcoming launches checked against an element file.

Each launch names its site, vehicle, NET (no earlier than, ISO 8601 UTC) and optionally its
target (the catalog number whose plane it flies into; default the file's only satellite), its
payload, its rendezvous (hours from liftoff to docking; default none: the target's own plane) and a
name. A rendezvous launch lifts off at the first opportunity at or after its NET, on time
(``orbitview.opportunities``), so that is the instant each launch is flown and seen at. Launches
with the same site, vehicle, payload, rendezvous and target share one flight, re-timed
(``orbitview.surveys``).

TOML::

    [[launch]]
    name = "Progress MS-10"
    site = "baikonur-1/5"
    vehicle = "soyuz-fg"
    net = "2018-11-16T18:00:00Z"
    target = 25544                # optional
    payload_kg = 7300.0           # optional
    rendezvous_h = 49.2           # optional

CSV: a header line naming the same columns (``name``, ``payload_kg``, ``rendezvous_h`` and ``target``
optional).

A bad launch (an unknown site or vehicle, a NET that is not a time, a target the element file
does not hold, a site its target's plane never crosses) does not stop the others: each is one
line naming the file, the launch and the field, listed after the rows.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .clock import parse_utc
from .datafile import Table, load_toml
from .errors import DataError, OrbitviewError, UnknownNameError
from .launches import DEFAULT_PAYLOAD_KG
from .resources import bundled_names, resolve
from .scenario import MAX_PAYLOAD_KG, MAX_RENDEZVOUS_H
from .sites import load_site, load_sites
from .surveys import Runner, SurveyJob, run_here
from .skydata import timescale

SEARCH_DAYS = 3.0            # the plane passes over a pad once a day: the first opportunity is within this
COLUMNS = ("name", "site", "vehicle", "net", "target", "payload_kg", "rendezvous_h")
MAX_LAUNCHES = 10_000


@dataclass(frozen=True)
class Launch:
    """One launch of a manifest, checked."""

    where: str               # "launch[2]" or "row 3": how messages name it
    name: str
    job: SurveyJob
    net_utc: str


def _rows(path: Path) -> list[Table]:
    """The manifest's launches as tables (TOML ``[[launch]]`` or CSV rows), named for messages."""
    if path.suffix.lower() == ".csv":
        try:
            with path.open(newline="") as stream:
                reader = csv.DictReader(stream)
                unknown = sorted(set(reader.fieldnames or []) - set(COLUMNS))
                if unknown:
                    raise DataError(path, "header", unknown[0], f"a column of {', '.join(COLUMNS)}")
                rows = [{k: v for k, v in row.items() if v not in (None, "")} for row in reader]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise DataError(path, "file", str(path), f"a readable CSV file ({exc})") from None
        for row in rows:
            for key in ("target", "payload_kg", "rendezvous_h"):
                if key in row:
                    try:
                        row[key] = float(row[key])
                    except ValueError:
                        pass                       # left as text: the table's check names it
        return [Table(row, path, f"row {i + 2}: ") for i, row in enumerate(rows)]   # row 1 is the header
    if path.suffix.lower() != ".toml":
        raise DataError(path, "file", path.suffix or "(no extension)", "a .toml or .csv manifest")
    table = load_toml(path)
    launches = table.tables("launch")
    other = [key for key in table.keys() if key != "launch"]
    if other:              # each launch is checked on its own, so the file's other keys are checked here
        raise table.error(other[0], table.data[other[0]], "[[launch]] tables only")
    return launches


def _launch(row: Table, elements: str, catalog: int | None) -> Launch:
    """One row checked: every field named in its own error."""
    site = row.string("site")
    try:
        load_site(site)
    except UnknownNameError:
        raise row.error("site", site, f"a site of orbitview/data/sites.toml ({', '.join(sorted(load_sites()))})") from None
    vehicle = row.string("vehicle")
    try:
        resolve("vehicle", vehicle)
    except UnknownNameError:
        raise row.error("vehicle", vehicle, f"a bundled vehicle ({', '.join(bundled_names('vehicle'))}) "
                                            "or a vehicle file") from None
    net = row.string("net")
    try:
        parse_utc(net)
    except OrbitviewError:
        raise row.error("net", net, "an ISO-8601 UTC time such as 2018-11-16T18:00:00Z") from None
    target = row.number("target", catalog, min=1, max=339999)
    if target is not None and target != int(target):
        raise row.error("target", target, "a whole NORAD catalog number")
    payload = row.number("payload_kg", DEFAULT_PAYLOAD_KG, above=0.0, max=MAX_PAYLOAD_KG)
    rendezvous_h = row.number("rendezvous_h", 0.0, min=0.0, max=MAX_RENDEZVOUS_H)
    name = row.string("name", f"{vehicle} from {site}")
    row.reject_unknown()
    job = SurveyJob(site, vehicle, elements, None if target is None else int(target), payload, rendezvous_h)
    try:
        job.observer()
    except UnknownNameError as exc:
        raise row.error("target", target, f"a satellite of the element file ({', '.join(exc.known)})") from None
    return Launch(row.prefix.rstrip(". :"), name, job, net)


def check_manifest(path: str | Path, elements: str, catalog: int | None = None,
                   runner: Runner | None = None) -> tuple[list[dict], list[str]]:
    """Survey rows for every good launch of the manifest (with ``name`` and ``net_utc``), in its
    order, and one message per bad launch."""
    if elements is None:
        raise OrbitviewError(f"--manifest {path}: give --elements FILE_OR_NAME, the element sets to check it against")
    path = Path(path)
    rows, bad = [], []
    launches: list[tuple[Launch, float]] = []
    tables = _rows(path)
    if len(tables) > MAX_LAUNCHES:
        raise DataError(path, "launch", f"{len(tables):,} launches", f"at most {MAX_LAUNCHES:,}")
    ts = timescale()
    for table in tables:
        try:
            launch = _launch(table, elements, catalog)
            net = parse_utc(launch.net_utc)
            found = launch.job.opportunities(net, ts.tt_jd(net.tt + SEARCH_DAYS))
            if not found:
                raise OrbitviewError(f"no opportunity within {SEARCH_DAYS:g} days of its NET")
            launches.append((launch, found[0].liftoff.tt))
        except OrbitviewError as exc:
            text = str(exc)
            bad.append(text if text.startswith(str(path)) else f"{path}: {table.prefix.rstrip('. :')}: {text}")
    done: dict[tuple[SurveyJob, str], dict] = {}
    for job in dict.fromkeys(launch.job for launch, _ in launches):      # one flight per distinct job
        liftoffs = sorted({tt for launch, tt in launches if launch.job == job})
        for chunk in (runner or run_here)(job, liftoffs[0], [[tt] for tt in liftoffs]):
            done.update({(job, row["liftoff_utc"]): row for row in chunk})
    for launch, tt in launches:
        utc = ts.tt_jd(tt).utc_strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append({"name": launch.name, "net_utc": launch.net_utc, **done[(launch.job, utc)]})
    return rows, bad

