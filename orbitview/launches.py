"""A launch given inline (site, vehicle, liftoff, element file) instead of a scenario file.

``orbitview visibility --site ... --vehicle ... --liftoff ... --elements ...`` and every flight of
a survey name a launch this way; :func:`launch_spec` turns it into the same frozen
:class:`~orbitview.scenario.ScenarioSpec` a scenario file gives, so the scene flies it exactly as
it flies a bundled scenario (no camera, no video, the station in its usual +XVV attitude).
"""
from __future__ import annotations

from skyfield.timelib import Time

from . import checks, tle
from .ascent import TargetOrbit
from .errors import UnknownNameError
from .resources import bundled_names, resolve
from .scenario import MAX_PAYLOAD_KG, MAX_RENDEZVOUS_H, ObserverSpec, RenderDefaults, ScenarioSpec
from .sites import load_site
from .view.station import Attitude

# [est] A crewed Soyuz MS or a Progress MS at launch, about 7,200-7,300 kg (the bundled scenarios'
# figures): the payload of every rendezvous launch orbitview surveys unless told otherwise.
DEFAULT_PAYLOAD_KG = 7200.0
SCENE_END_S = 1200.0         # as a scenario's default end_t_plus_s


def launch_defaults(payload_kg: float | None, rendezvous_h: float | None) -> tuple[float, float]:
    """A launch's payload (kg) and rendezvous (hours, liftoff to docking) where given, else the
    defaults: ``DEFAULT_PAYLOAD_KG`` and none (0: the target's own plane)."""
    return (DEFAULT_PAYLOAD_KG if payload_kg is None else payload_kg, 0.0 if rendezvous_h is None else rendezvous_h)


def observer_catalog(archive: tle.TLEArchive, catalog: int | None, source: str) -> int:
    """The catalog number whose plane the launch targets: ``catalog`` if the file holds it, else the
    file's only satellite; an error naming the file and the numbers it holds otherwise."""
    known = archive.catalogs()
    if catalog is None and len(known) == 1:
        return known[0]
    if catalog is None or catalog not in known:
        raise UnknownNameError(f"catalog number in {source}", "(none given)" if catalog is None else str(catalog),
                               [str(c) for c in known])
    return catalog


def observer_name(archive: tle.TLEArchive, catalog: int) -> str:
    """A satellite's name as its element file gives it (its catalog number when the file has none)."""
    return archive.of(catalog)[0].name or str(catalog)


def launch_spec(site: str, vehicle: str, liftoff: Time, elements: str, catalog: int | None = None,
                payload_kg: float = DEFAULT_PAYLOAD_KG, max_age_days: float = tle.DEFAULT_MAX_AGE_DAYS,
                selection: str = "nearest", rendezvous_h: float = 0.0) -> ScenarioSpec:
    """The scenario of a launch from ``site`` (a key of data/sites.toml) on ``vehicle`` (a bundled
    name or a vehicle file) at ``liftoff`` into the plane of ``catalog`` in ``elements`` (with
    ``rendezvous_h``, the plane of a chaser docking that many hours after liftoff)."""
    pad = load_site(site)
    try:
        vehicle_file = resolve("vehicle", vehicle)
    except UnknownNameError:
        raise UnknownNameError("vehicle", vehicle, bundled_names("vehicle")) from None
    path = resolve("tle", elements)
    archive = tle.load(path)
    number = observer_catalog(archive, catalog, path.name)
    checks.within("payload_kg", payload_kg, 0.0, MAX_PAYLOAD_KG, "kg")
    checks.within("rendezvous_h", rendezvous_h, 0.0, MAX_RENDEZVOUS_H, "h")
    name = f"{vehicle_file.stem} from {pad.key}"
    target = TargetOrbit          # its default perigee and apogee, as a scenario's [target]
    return ScenarioSpec(
        path=None, name=name, title=f"{name} at {liftoff.utc_strftime('%Y-%m-%dT%H:%M:%SZ')}", liftoff=liftoff,
        site=pad, vehicle_file=vehicle_file, payload_kg=float(payload_kg), end_t_plus_s=SCENE_END_S,
        perigee_alt_km=target.perigee_alt_km, apogee_alt_km=target.apogee_alt_km, rendezvous_h=float(rendezvous_h),
        observer=ObserverSpec(name=observer_name(archive, number), catalog=number, elements=path,
                              selection=selection, max_age_days=max_age_days, published_speed_kmh=None),
        attitude=Attitude(), camera=None, pointing=None,
        render=RenderDefaults(exposure=None, window_frame=False, size=None, fps=30.0), video=None)
