"""A scenario file -> a Scene: the one place where the modules are wired together.

Everything is built lazily and once: loading a scenario reads and validates its file, the
ascent is flown the first time a rocket body or event is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from skyfield.timelib import Time

from . import tle
from .clock import Clock, parse_utc
from .datafile import Table, load_toml
from .errors import OrbitviewError
from .orbits import Observer
from .resources import bundled_names, resolve
from .table import html_table


@dataclass(frozen=True)
class ObserverSpec:
    name: str
    catalog: int
    elements: str
    selection: str
    max_age_days: float
    published_speed_kmh: float | None


def _observer_spec(table: Table) -> ObserverSpec:
    catalog = table.number("catalog", min=1, max=339999)
    if catalog != int(catalog):
        raise table.error("catalog", catalog, "a whole NORAD catalog number")
    return ObserverSpec(
        name=table.string("name", "ISS"),
        catalog=int(catalog),
        elements=table.string("elements"),
        selection=table.string("selection", "blend", choices=["blend", "nearest"]),
        max_age_days=table.number("max_age_days", tle.DEFAULT_MAX_AGE_DAYS, above=0.0),
        published_speed_kmh=table.number("published_speed_kmh", None, above=0.0),
    )


class Scenario:
    """A launch seen from an orbiting observer, on one clock (see README: "Writing a scenario")."""

    def __init__(self, table: Table):
        self.path = table.path
        self.name = table.string("name")
        self.title = table.string("title", self.name)
        liftoff_text = table.string("liftoff_utc")
        try:
            self.clock = Clock(parse_utc(liftoff_text))
        except OrbitviewError:
            raise table.error("liftoff_utc", liftoff_text, "an ISO-8601 UTC time such as 2018-11-16T18:14:08Z") from None
        self.site_name = table.string("site")
        self.vehicle_name = table.string("vehicle")
        self.payload_kg = table.number("payload_kg", above=0.0)
        self.end_t_plus_s = table.number("end_t_plus_s", 1200.0, above=0.0, max=86400.0)
        self.observer_spec = _observer_spec(table.table("observer"))
        target = table.table("target", {})
        self.perigee_alt_km = target.number("perigee_alt_km", 200.0, min=100.0)
        self.apogee_alt_km = target.number("apogee_alt_km", 240.0, min=self.perigee_alt_km)
        self._table = table

    @cached_property
    def observer(self) -> Observer:
        spec = self.observer_spec
        archive = tle.load(resolve("tle", self._relative(spec.elements)))
        return Observer(archive, spec.catalog, name=spec.name, mode=spec.selection,
                        max_age_days=spec.max_age_days)

    @cached_property
    def site(self):
        from .sites import load_site

        return load_site(self.site_name)

    def _relative(self, name: str) -> str | Path:
        """A file named in the scenario: relative to the scenario's folder, else bundled."""
        beside = Path(self.path).parent / name if self.path else None
        return beside if beside is not None and beside.is_file() else name

    def times(self, t_plus_s) -> Time:
        """The instants ``t_plus_s`` (seconds from liftoff), checked against the scene's span."""
        seconds = np.asarray(t_plus_s, dtype=float)
        if seconds.size and (seconds.min() < -86400.0 or seconds.max() > self.end_t_plus_s):
            raise OrbitviewError(
                f"T+ {seconds.min():g}..{seconds.max():g} s is outside the scene of {self.name} "
                f"(from -86400 s to end_t_plus_s = {self.end_t_plus_s:g} s)")
        return self.clock.t_plus(seconds)

    def _repr_html_(self) -> str:
        spec = self.observer_spec
        rows = [{"field": "liftoff (UTC)", "value": self.clock.utc_iso(0.0)},
                {"field": "site", "value": self.site_name},
                {"field": "vehicle", "value": f"{self.vehicle_name}, payload {self.payload_kg:,.0f} kg"},
                {"field": "observer", "value": f"{spec.name} #{spec.catalog} from {spec.elements} ({spec.selection})"},
                {"field": "scene", "value": f"T+0 to T+{self.end_t_plus_s:g} s"}]
        return html_table(rows, ["field", "value"], caption=self.title)

    def __repr__(self) -> str:
        return f"<Scenario {self.name!r}: liftoff {self.clock.utc_iso(0.0)}, {self.site_name}, {self.vehicle_name}>"


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name (``orbitview scenarios`` lists them) or a TOML file path."""
    return Scenario(load_toml(resolve("scenario", name_or_path)))


def scenario_names() -> list[str]:
    return bundled_names("scenario")
