"""Geometry at instants, as plain rows: what ``orbitview geometry`` and ``events`` print.

The row layout is the JSON contract of DESIGN.md; the terminal table is drawn from the same rows.
"""
from __future__ import annotations

import numpy as np
from skyfield.timelib import Time

from .earth import azimuth_elevation_range, geodetic_to_itrs
from .scene import Scene
from .view.sightline import Sightlines


def _round(value, digits: int):
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _body_states(scn: Scene, name: str, t: Time) -> list[dict]:
    lat, lon, alt = scn.body(name).geodetic(t)
    speed = scn.body(name).speed_kms(t)
    return [{"lat_deg": _round(a, 4), "lon_deg": _round(b, 4), "alt_km": _round(c, 3), "speed_kms": _round(d, 4)}
            for a, b, c, d in zip(np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(alt), np.atleast_1d(speed))]


def _sightline_rows(lines: Sightlines, sunlit_key: str = "vehicle_sunlit") -> list[dict]:
    rows = []
    for i in range(lines.visible.shape[0]):
        px = lines.camera_px[:, i]
        rows.append({
            "visible": bool(lines.visible[i]), "range_km": _round(lines.range_km[i], 2),
            "grazing_alt_km": _round(lines.grazing_alt_km[i], 2),
            sunlit_key: bool(lines.sunlit[i]), "shadow": str(lines.shadow[i]),
            "against": str(lines.against[i]), "window": str(lines.window[i]) or None,
            "azimuth_deg": _round(lines.azimuth_deg[i], 3), "elevation_deg": _round(lines.elevation_deg[i], 3),
            "camera_px": None if np.isnan(px).any() else [_round(px[0], 1), _round(px[1], 1)],
        })
    return rows


def geometry_rows(scn: Scene, t_plus_s) -> list[dict]:
    """One dict per instant: observer, observer seen from the pad, vehicle, sightline to it."""
    seconds = np.atleast_1d(np.asarray(t_plus_s, dtype=float))
    t = scn.times(seconds)
    lat, lon, alt = scn.observer.geodetic(t)
    speed_kmh = scn.observer.speed_kms(t) * 3600.0
    site = scn.spec.site
    pad_itrs = geodetic_to_itrs(site.lat_deg, site.lon_deg, site.alt_km)
    az, el, rng = azimuth_elevation_range(pad_itrs, site.lat_deg, site.lon_deg, scn.observer.itrs_state(t)[0])
    utc = t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")
    vehicle = _body_states(scn, "vehicle", t)
    lines = _sightline_rows(scn.sightline(t, "vehicle"))
    moon = _moon_rows(scn, t)
    return [{"t_plus_s": float(s), "utc": utc[i],
             "observer": {"lat_deg": _round(lat[i], 4), "lon_deg": _round(lon[i], 4),
                          "alt_km": _round(alt[i], 3), "speed_kmh": _round(speed_kmh[i], 1)},
             "vehicle": vehicle[i],
             "observer_from_site": {"range_km": _round(rng[i], 2), "azimuth_deg": _round(az[i], 3),
                                    "elevation_deg": _round(el[i], 3)},
             "sightline": lines[i], "moon": moon[i]}
            for i, s in enumerate(seconds)]


def _moon_rows(scn: Scene, t: Time) -> list[dict]:
    """The Moon as the observer sees it: above the limb (refraction included), its lit fraction,
    and where it stands in the camera's image (the geometric direction: the apparent one differs by
    about 0.007 deg, under a pixel)."""
    sight = scn.moon_sight(t)
    px = scn.sightline(t, "moon").camera_px
    return [{"visible": bool(sight.visible[i]), "above_limb_deg": _round(sight.above_limb_deg[i], 3),
             "illuminated_fraction": _round(sight.illuminated_fraction[i], 4),
             "camera_px": None if np.isnan(px[:, i]).any() else [_round(px[0, i], 1), _round(px[1, i], 1)]}
            for i in range(len(sight.visible))]


def event_rows(scn: Scene) -> list[dict]:
    """The timeline: each event with its UTC, video time (if a video clock is set), the geometry
    of the vehicle (as ``geometry``) and of the body the event is about (a released stage...)."""
    events = [e for e in scn.events if e.t_plus_s <= scn.end_t_plus_s]
    geometry = geometry_rows(scn, [e.t_plus_s for e in events])
    rows = []
    for event, row in zip(events, geometry):
        names = event.body.split(", ")
        t = scn.times([event.t_plus_s])
        own = names[0] == scn.observer.name       # the observer's own event: no line of sight
        body = {"name": names[0], "names": names, **_body_states(scn, names[0], t)[0],
                "sightline": None if own else _sightline_rows(scn.sightline(t, names[0]), "sunlit")[0]}
        rows.append({"name": event.name, "t_plus_s": round(float(event.t_plus_s), 2), "utc": row["utc"],
                     "video_s": _round(event.video_s, 2), "detail": event.detail,
                     **{k: v for k, v in row.items() if k not in ("t_plus_s", "utc")}, "body": body})
    return rows



def moment_rows(scn: Scene) -> list[dict]:
    """What is in view at each published moment of the video (on the fitted video clock): every
    body shown then, with its height, thrust, heat flux and line of sight, the Moon, and the
    model's own instant of the anchored event."""
    if scn.video_fit is None:
        return []
    rows = []
    for anchor in scn.spec.video.anchors:
        t_plus_s = float(scn.video_fit.clock.to_t_plus(anchor.video_s))
        t = scn.times([t_plus_s])
        rows.append({"anchor": anchor.name, "video_s": round(anchor.video_s, 2), "t_plus_s": round(t_plus_s, 1),
                     "event": anchor.event, "event_t_plus_s": round(scn.event_t_plus_s(anchor.event), 1),
                     "bodies": [_moment_body(scn, name, t) for name in scn.bodies
                                if scn.shown(name, np.array([t_plus_s]))[0]],
                     "moon": _moon_rows(scn, t)[0]})
    return rows


def _moment_body(scn: Scene, name: str, t: Time) -> dict:
    body = scn.body(name)
    line = _sightline_rows(scn.sightline(t, name), "sunlit")[0]
    return {"name": name, "alt_km": _round(body.alt_km(t)[0], 1),
            "thrust_kn": _round(np.atleast_1d(body.thrust_n(t))[0] / 1000.0, 0),
            "heat_flux_w_m2": _round(np.atleast_1d(body.heat_flux_w_m2(t))[0], 0),
            "visible": line["visible"], "camera_px": line["camera_px"]}
