"""Surveys: every launch opportunity in a date range, flown once and seen from orbit.

**Reuse.** A flight is integrated in the launch frame, the Earth-fixed frame frozen at liftoff
(``ascent.launchframe``). Two rendezvous launches from the same pad, with the same vehicle,
payload and rendezvous into the same plane, both lift off on time, the same interval from the pad's
crossing of the plane (``opportunities``), so in that frame they fly the same trajectory: they
differ by the Earth's orientation at liftoff and by where the observer is along its orbit. A
survey flies the first opportunity once and re-times it for every other one (:func:`retimed`: the same tracks, events and impact points on a new clock and launch frame). What
re-timing ignores: the plane's small changes between opportunities (its inclination and the
observer's height wander with the orbit's perturbations, so the guidance would aim a hair
differently); ``benchmarks/bench_survey.py`` measures the difference against fresh flights.

**Stale elements.** The observer is propagated from the nearest element set (SGP4). Its plane is
well predicted for months (the node's J2 regression is in SGP4); its phase along the orbit is not:
drag the elements do not foresee shifts it along track by an error that grows with the square of
the time from the epoch (:data:`PHASE_ERROR_KM_PER_DAY2`). A survey warns once when its liftoffs
lie more than a few days from every set and says how far the phase can be trusted there.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from skyfield.timelib import Time

from . import tle
from .ascent import Ascent
from .ascent.launchframe import LaunchFrame
from .ascent.track import AscentBody
from .clock import Clock, parse_utc
from .errors import OrbitviewError
from .launches import DEFAULT_PAYLOAD_KG, launch_defaults, launch_spec, observer_catalog, observer_name
from .opportunities import Opportunity, find_opportunities
from .orbits import Observer
from .outputs import atomic_output, check_output
from .resources import resolve
from .scenario import ScenarioSpec
from .scene import Scene
from .sites import load_site
from .skydata import timescale
from .sighting import observe

# Along-track error of a propagated ISS element set, km per day squared: the two sets of
# tle/iss-2018-11.tle (2018-11-11 10:40 and 2018-11-23 18:27 UTC, 12.32 days apart) disagree by
# 90.0 km along track at the second epoch, 21.8 km halfway: 0.59 km/day^2 both times (drag the
# elements do not foresee; tests/test_survey.py recomputes it from the files).
PHASE_ERROR_KM_PER_DAY2 = 0.59
SURVEY_MAX_AGE_DAYS = 3660.0  # a survey may reach years from its elements: it warns instead of refusing
ROW_FIELDS = ("liftoff_utc", "observer", "visible_s", "min_range_km", "lighting", "best_t_plus_s", "window", "score")


def phase_error_km(days_from_epoch: float) -> float:
    """How far along its orbit the observer may be from where stale elements put it (km)."""
    return PHASE_ERROR_KM_PER_DAY2 * days_from_epoch**2


def retimed(ascent: Ascent, liftoff: Time) -> Ascent:
    """The same flight lifting off at ``liftoff``: every track, event and impact point as flown
    (they are in the launch frame, which is Earth-fixed at liftoff), on a new clock and frame."""
    clock = Clock(liftoff)
    frame = LaunchFrame(clock)
    bodies = {name: AscentBody(name, body.track, clock, frame, body.nose_radius_m)
              for name, body in ascent.bodies.items()}
    return replace(ascent, clock=clock, frame=frame, bodies=bodies)


@dataclass(frozen=True)
class SurveyJob:
    """What a survey flies: the launch (site, vehicle, payload, element file, catalog). Small and
    picklable, so that every Dask worker rebuilds the same flight from it."""

    site: str
    vehicle: str
    elements: str
    catalog: int | None = None
    payload_kg: float = DEFAULT_PAYLOAD_KG
    rendezvous_h: float = 0.0

    def spec_at(self, liftoff: Time) -> ScenarioSpec:
        """The launch at ``liftoff``, as a scenario spec."""
        return launch_spec(self.site, self.vehicle, liftoff, self.elements, self.catalog, self.payload_kg,
                           max_age_days=SURVEY_MAX_AGE_DAYS, rendezvous_h=self.rendezvous_h)

    def observer(self) -> Observer:
        """The observer whose plane the launches target, propagated from its nearest set."""
        return _observer(self.elements, self.catalog)

    def miss_km(self, liftoff: Time) -> float:
        """How far from its plane the guided stage lights when the launch lifts off at ``liftoff``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", tle.StaleElementsWarning)
            return Scene(self.spec_at(liftoff)).ignition_offset_km()

    def opportunities(self, start: Time, end: Time) -> list[Opportunity]:
        """The liftoffs on time from ``start`` to ``end`` (``opportunities.find_opportunities``)."""
        return find_opportunities(self.observer(), load_site(self.site), start, end, miss_km=self.miss_km)


@lru_cache(maxsize=8)
def _observer(elements: str, catalog: int | None) -> Observer:
    path = resolve("tle", elements)
    archive = tle.load(path)
    number = observer_catalog(archive, catalog, path.name)
    return Observer(archive, number, name=observer_name(archive, number), mode="nearest",
                    max_age_days=SURVEY_MAX_AGE_DAYS)


@lru_cache(maxsize=8)
def reference_flight(job: SurveyJob, liftoff_tt: float) -> Ascent:
    """The flight flown once per job (and per worker process), at the liftoff given."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tle.StaleElementsWarning)
        return Scene(job.spec_at(timescale().tt_jd(liftoff_tt))).ascent


def fly_and_observe(job: SurveyJob, reference_tt: float, liftoffs_tt: list[float], reuse: bool = True) -> list[dict]:
    """Survey rows for the liftoffs (TT Julian dates): the reference flight re-timed to each (or,
    with ``reuse=False``, each flown from scratch)."""
    observer = job.observer()
    ts = timescale()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tle.StaleElementsWarning)
        for jd in liftoffs_tt:
            liftoff = ts.tt_jd(jd)
            if reuse:
                ascent = retimed(reference_flight(job, reference_tt), liftoff)
            else:
                ascent = Scene(job.spec_at(liftoff)).ascent
            rows.append(observe(observer, ascent).row())
    return rows


def parse_range(start: str, end: str) -> tuple[Time, Time]:
    """The survey's dates (ISO 8601; a bare date is midnight UTC), the end after the start."""
    times = []
    for option, text in (("--start", start), ("--end", end)):
        try:
            times.append(parse_utc(text))
        except OrbitviewError:
            raise OrbitviewError(f"{option} {text!r}: expected an ISO-8601 date or UTC time such as 2018-11-01 "
                                 "or 2018-11-01T12:00:00Z") from None
    if not times[1].tt > times[0].tt:
        raise OrbitviewError(f"date range --start {start} --end {end}: expected an end after the start "
                             "(the range is empty or reversed)")
    return times[0], times[1]


def warn_if_stale(observer: Observer, liftoffs: list[Time]) -> float:
    """Warn once when liftoffs lie more than a few days from every element set, saying how far the
    observer's phase can be trusted there; returns the largest distance (days)."""
    if not liftoffs:
        return 0.0
    epochs = tle.epoch_jd(observer.sets)
    jd = np.array([t.tt for t in liftoffs])
    days = np.abs(jd[:, None] - epochs[None, :]).min(axis=1)
    worst = float(days.max())
    if worst > tle.STALE_AFTER_DAYS:
        km = phase_error_km(worst)
        with warnings.catch_warnings():            # this one warning says it all
            warnings.simplefilter("ignore", tle.StaleElementsWarning)
            speed = float(np.linalg.norm(observer.gcrs_state(liftoffs[0]).velocity_km_s))   # km of phase -> s
        at_5 = phase_error_km(5.0)
        warnings.warn(
            f"liftoffs up to {worst:.0f} days from the nearest element set of {observer.name}: the opportunity "
            f"times stand (the plane's drift is modelled), but the observer's phase along its orbit may be off "
            f"by ~{km:,.0f} km ({km / speed:,.0f} s of its orbit) there; it is trusted to ~{at_5:.0f} km "
            f"within 5 days of a set (measured for the ISS: {PHASE_ERROR_KM_PER_DAY2} km/day^2 along track)",
            tle.StaleElementsWarning, stacklevel=2)
    return worst


def results_header(job: SurveyJob) -> dict:
    """The first line of a results file: the survey its rows belong to, so that a rerun resumes only
    its own survey and never skips liftoffs another launch or observer was flown for."""
    return {"orbitview_survey": {"site": job.site, "vehicle": job.vehicle, "elements": job.elements,
                                 "catalog": job.catalog, "payload_kg": job.payload_kg,
                                 "rendezvous_h": job.rendezvous_h}}


def read_done(path: Path, job: SurveyJob) -> list[dict]:
    """The rows of ``job`` a JSON-lines results file already holds; a last line cut short (a killed
    run) is dropped. A file of another survey, or not of a survey, is refused."""
    if not path.is_file():
        return []
    lines = path.read_text().splitlines()
    try:
        header = json.loads(lines[0]) if lines else None
    except json.JSONDecodeError:
        return []          # killed while writing the header: nothing is done
    if header is None:
        return []
    if not isinstance(header, dict) or "orbitview_survey" not in header:
        raise OrbitviewError(f"{path}: not an orbitview survey results file (its first line is not a survey "
                             f"header); expected a .jsonl file an earlier survey wrote, or a new name")
    if header != results_header(job):
        raise OrbitviewError(f"{path}: holds the results of another survey ({header['orbitview_survey']}); "
                             f"expected {results_header(job)['orbitview_survey']}: give another --results file")
    rows = []
    for line in lines[1:]:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if not isinstance(row, dict) or not set(ROW_FIELDS) <= set(row):
            break          # everything after a broken line is redone
        rows.append(row)
    return rows


def _rewrite(path: Path, job: SurveyJob, rows: list[dict]) -> None:
    """The results file holding its header and exactly ``rows`` (a cut last line removed), replaced atomically."""
    with atomic_output(path, (".jsonl",), force=True) as tmp:
        tmp.write_text("".join(json.dumps(r) + "\n" for r in [results_header(job), *rows]))


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


Runner = Callable[[SurveyJob, float, list[list[float]]], Iterable[list[dict]]]


def run_here(job: SurveyJob, reference_tt: float, chunks: list[list[float]]) -> Iterator[list[dict]]:
    """Run every chunk in this process, yielding each chunk's rows as it finishes."""
    for chunk in chunks:
        yield fly_and_observe(job, reference_tt, chunk)


def survey(site: str, vehicle: str, elements: str, start: str, end: str, catalog: int | None = None,
           payload_kg: float | None = None, results: str | Path | None = None,
           runner: Runner | None = None, chunk_size: int = 8, rendezvous_h: float | None = None) -> list[dict]:
    """One row per launch opportunity from ``start`` to ``end`` (see ``ObserverView.row``), oldest
    first. With ``results`` (a ``.jsonl`` file: a header naming the survey, then one row a line) rows
    are appended as they finish and a rerun of the same survey skips the liftoffs already there.
    ``runner`` runs chunks of liftoffs (default: here, one after the other; ``orbitview.cluster``
    runs them on Dask). ``payload_kg`` defaults to a Soyuz's or Progress's (``launches``);
    ``rendezvous_h`` (liftoff to docking) to none, the observer's own plane."""
    job = SurveyJob(site, vehicle, elements, catalog, *launch_defaults(payload_kg, rendezvous_h))
    t0, t1 = parse_range(start, end)
    path = check_output(results, (".jsonl",), force=True) if results is not None else None
    observer = job.observer()
    opportunities = job.opportunities(t0, t1)
    warn_if_stale(observer, [o.liftoff for o in opportunities])
    if not opportunities:
        return []
    done = read_done(path, job) if path is not None else []
    if path is not None:
        _rewrite(path, job, done)
    finished = {r["liftoff_utc"] for r in done}
    todo = [o.liftoff.tt for o in opportunities if o.liftoff_utc not in finished]
    rows = list(done)
    if todo:
        reference_tt = opportunities[0].liftoff.tt
        try:
            stream = path.open("a") if path is not None else None
        except OSError as exc:
            raise OrbitviewError(f"{path}: cannot append results: {exc.strerror or exc}") from None
        try:
            for chunk_rows in (runner or run_here)(job, reference_tt, list(_chunks(todo, chunk_size))):
                rows.extend(chunk_rows)
                if stream is not None:
                    stream.write("".join(json.dumps(r) + "\n" for r in chunk_rows))
                    stream.flush()
        finally:
            if stream is not None:
                stream.close()
    wanted = {o.liftoff_utc for o in opportunities}
    return sorted((r for r in rows if r["liftoff_utc"] in wanted), key=lambda r: r["liftoff_utc"])


def reuse_error_km(job: SurveyJob, reference: Time, other: Time, step_s: float = 10.0) -> float:
    """Largest distance (km) between the re-timed reference flight and a fresh flight at ``other``,
    over the vehicle's powered flight and coast to the end of the scene."""
    fresh = Scene(job.spec_at(other)).ascent
    again = retimed(reference_flight(job, reference.tt), other)
    t = fresh.clock.t_plus(np.arange(0.0, min(fresh.end_t_plus_s, again.end_t_plus_s), step_s))
    gap = fresh.bodies["vehicle"].gcrs_state(t).position_km - again.bodies["vehicle"].gcrs_state(t).position_km
    return float(np.max(np.linalg.norm(gap, axis=0)))
