"""The ``orbitview`` command: a thin layer over the public API.

User errors (``OrbitviewError``) end the command with one line on stderr and exit status 1;
usage errors exit 2 (argparse); SIGINT, SIGTERM and SIGHUP end it with one line and status
128 + the signal's number, after every temporary file and encoder is cleaned up; anything else
is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Iterator, Sequence, TextIO

from . import tle
from .errors import OrbitviewError, shorten
from .export import CZML_SUFFIXES
from .framing import fit_framing, framing_rules
from .launches import DEFAULT_PAYLOAD_KG
from .outputs import check_output
from .report import event_rows, geometry_rows, moment_rows
from .scenario import parse_size
from .scene import load_scenario, scenario_names
from .table import format_table


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
MAX_ERROR_CHARS = 2000          # an error line is cut here, whatever value it quotes


def _seconds_list(text: str) -> list[float]:
    try:
        seconds = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        seconds = []
    if not seconds:
        raise argparse.ArgumentTypeError(f"{shorten(repr(text))}: expected seconds separated by commas, "
                                         "e.g. 0,118,287")
    return seconds


def _event_names(text: str) -> list[str]:
    """Event names separated by commas: none empty, none twice (each is one output file)."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"{shorten(repr(text))}: expected event names separated by commas, "
                                         "e.g. liftoff,core_separation")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise argparse.ArgumentTypeError(f"{shorten(repr(text))}: {shorten(', '.join(twice))} named more than once")
    return names


def _print_json(value) -> None:
    json.dump(value, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


def cmd_scenarios(args) -> None:
    rows = []
    for name in scenario_names():
        scn = load_scenario(name)
        rows.append({"name": name, "liftoff_utc": scn.clock.utc_iso(0.0), "site": scn.spec.site_name,
                     "vehicle": scn.spec.vehicle_name, "title": scn.title})
    if args.json:
        _print_json(rows)
    else:
        print(format_table(rows, ["name", "liftoff_utc", "site", "vehicle", "title"]))


def _flat(row: dict, body: dict | None = None) -> dict:
    """One terminal-table row from a geometry row, about the vehicle or the event's ``body``."""
    line, state = (body["sightline"], body) if body else (row["sightline"], row["vehicle"])
    if line is None:      # the observer's own event (entering or leaving the shadow): no line of sight
        line = {"range_km": None, "visible": None, "against": "-", "shadow": "-", "window": "-", "camera_px": None}
    return {"T+ s": row["t_plus_s"], "UTC": row["utc"][11:19],
            "ISS alt km": row["observer"]["alt_km"], "ISS km/h": row["observer"]["speed_kmh"],
            "ISS from pad km": row["observer_from_site"]["range_km"],
            **({"body": body["name"]} if body else {}),
            "alt km": state["alt_km"], "km/s": state["speed_kms"],
            "range km": line["range_km"],
            "visible": "-" if line["visible"] is None else "yes" if line["visible"] else "HIDDEN",
            "against": line["against"], "light": line["shadow"], "window": line["window"],
            "camera px": "-" if line["camera_px"] is None else "%.0f,%.0f" % tuple(line["camera_px"])}


def _observer_notes(scn) -> None:
    published = scn.spec.observer.published_speed_kmh
    if published:
        print(f"ISS speed is inertial (GCRS) from the element sets; the agency's rounded figure "
              f"is {published:,.0f} km/h.")
    spread = scn.observer.uncertainty(scn.clock.liftoff)
    if spread.spread_km is not None:
        print(f"Observer uncertainty at liftoff: the bracketing element sets differ by "
              f"{spread.spread_km:.1f} km; positions are their time-weighted blend.")


def cmd_geometry(args) -> None:
    scn = load_scenario(args.scenario)
    rows = geometry_rows(scn, args.t_plus)
    if args.json:
        _print_json(rows)
        return
    print(f"{scn.title}\nliftoff {scn.clock.utc_iso(0.0)} from {scn.spec.site_name}")
    flat = [_flat(r) for r in rows]
    print(format_table(flat, list(flat[0])))
    _observer_notes(scn)


def cmd_events(args) -> None:
    scn = load_scenario(args.scenario)
    rows = event_rows(scn)
    if args.json:
        _print_json(rows)
        return
    print(f"{scn.title}\nliftoff {scn.clock.utc_iso(0.0)} from {scn.spec.site_name}")
    flat = [{"event": r["name"], "video": "-" if r["video_s"] is None else f"{r['video_s']:.1f}",
             **_flat(r, r["body"])} for r in rows]
    print(format_table(flat, list(flat[0])))
    _observer_notes(scn)


def cmd_fit_video(args) -> None:
    scn = load_scenario(args.scenario)
    if scn.video_fit is None:
        raise OrbitviewError(f"{scn.spec.path}: [video] is missing: this scenario has no video clock to fit")
    fit = scn.video_fit.as_dict()
    moments = moment_rows(scn)
    sky = [{"name": e.name, "t_plus_s": round(e.t_plus_s, 1), "video_s": None if e.video_s is None else round(e.video_s, 2)}
           for e in scn.events if e.name in {s.name for s in scn.sky_events}]
    if args.json:
        _print_json({**fit, "moments": moments, "sky_events": sky})
        return
    print(f"Video clock of {scn.name}: video 0-{scn.spec.video.duration_s:g} s = "
          f"T+{fit['video_start_t_plus_s']:.1f} to T+{fit['video_end_t_plus_s']:.1f} s "
          f"({fit['span_s'] / 60:.1f} min of real time; stated: {fit['span_target_s'] / 60:.0f} min)")
    print(format_table(fit["segments"], ["video_start_s", "video_end_s", "speed"]))
    print(format_table(fit["anchors"], ["name", "video_s", "t_plus_s", "residual_s", "used"]))
    for note in fit["conflicts"]:
        print(f"conflict: {note}")
    for note in fit["undetermined"]:
        print(f"undetermined: {note}")
    print("What the model shows at each published moment:")
    print(format_table([_moment_line(m) for m in moments], ["anchor", "video s", "T+ s", "model event T+ s",
                                                             "burning or glowing", "Moon above limb deg"]))
    print("The sky's own events on the video clock: " + ", ".join(
        f"{e['name']} video {e['video_s']:.1f} s (T+{e['t_plus_s']:.1f})" for e in sky if e["video_s"] is not None))
    if scn.camera is not None:
        best = fit_framing(scn).best.as_dict(framing_rules())
        print(f"camera framing (orbitview fit-camera {args.scenario}): {_framing_line(best)}")


def _moment_line(m: dict) -> dict:
    """One row of the published moments: which visible bodies shine by their own light then (a
    burning engine, or entry heating past the onset of glowing the timeline's heating events use)."""
    from .ascent.dynamics import HEATING_ONSET_W_M2

    def shining(b: dict) -> str:
        how = "burning" if b["thrust_kn"] else f"{b['heat_flux_w_m2']:.0f} W/m2"
        return f"{b['name']} ({b['alt_km']:.0f} km, {how})"

    lit = [shining(b) for b in m["bodies"] if b["visible"] and (b["thrust_kn"] or b["heat_flux_w_m2"] >= HEATING_ONSET_W_M2)]
    return {"anchor": m["anchor"], "video s": m["video_s"], "T+ s": m["t_plus_s"],
            "model event T+ s": m["event_t_plus_s"], "burning or glowing": "; ".join(lit) or "-",
            "Moon above limb deg": m["moon"]["above_limb_deg"]}


def _framing_line(f: dict) -> str:
    """One framing in words: lens, aim, roll and how it meets the description."""
    tilt = ", ".join("-" if x is None else f"{x:.0f}" for x in f["limb_tilt_deg"])
    return (f"{f['lens']} ({f['model']}, {f['fov_deg']:.1f} deg across), azimuth {f['azimuth_deg']:.0f}, "
            f"elevation {f['elevation_deg']:.0f}, roll {f['roll_deg']:.0f} deg; limb tilt {tilt} deg; "
            f"Earth lower left {f['earth_share']['lower_left']:.0%}, upper right {f['earth_share']['upper_right']:.0%}; "
            f"core in view {f['core_in_view']:.0%}; rocket at least {f['vehicle_margin_px']} px inside the edges; "
            f"Moon in frame {f['moon_in_view']:.0%} of its time up; score {f['score']}")


def cmd_fit_camera(args) -> None:
    scn = load_scenario(args.scenario)
    fit = fit_framing(scn).as_dict()
    if args.json:
        _print_json(fit)
        return
    print(f"Camera framing of {scn.name}: {fit['objective']}")
    for name, text in fit["clauses"].items():
        print(f"  {name} (weight {fit['weights'][name]:g}): {text}")
    print(f"fit: {_framing_line(fit['best'])}")
    rows = [{"lens": f["lens"], "az": f["azimuth_deg"], "el": f["elevation_deg"], "roll": f["roll_deg"],
             "score": f["score"], **{k: f["residuals"][k] for k in fit["clauses"]}, "fails": "; ".join(f["fails"])}
            for f in [fit["best"]] + [r["framing"] for r in fit["rejected"] if r["framing"]]
            + [fit["minimal_cone"]["framing"]]]
    print(format_table(rows, list(rows[0])))
    for r in fit["rejected"]:
        print(f"rejected {r['lens']}: {'; '.join(r['why'])}")
    print(f"rejected the minimal-cone aim (kind = \"fit\"): {'; '.join(fit['minimal_cone']['why'])}")


def _range(text: str) -> tuple[float, float]:
    try:
        start, end = (float(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shorten(repr(text))}: expected A:B in seconds, e.g. 0:90") from None
    return start, end


def _size(text: str) -> tuple[int, int]:
    try:
        return parse_size(text)
    except OrbitviewError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_render(args) -> None:
    from . import shots

    scn = load_scenario(args.scenario)
    options = {"exposure": args.exposure, "window_frame": args.window_frame or None}
    suffix = Path(args.out).suffix.lower()
    if suffix == ".mp4":
        if args.t_plus is not None or args.video_s is not None or args.event is not None:
            raise OrbitviewError(f"{args.out}: --t-plus, --video-s and --event choose one frame: "
                                 "for a video use --video-range A:B")
        if args.json:
            raise OrbitviewError(f"{args.out}: --json describes stills (.png); a video's frames are not described: "
                                 "render the moments you want as stills")
        path = shots.render_video(scn, args.out, args.size, args.fps, args.video_range, force=args.force, **options)
    elif suffix == ".png":
        if args.fps is not None or args.video_range is not None:
            raise OrbitviewError(f"{args.out}: --fps and --video-range are for a video (.mp4), not a still")
        stills = _stills(scn, args)
        for out, _ in stills:                       # every target checked before any is written
            check_output(out, (".png",), args.force)
        described = []
        for out, t_plus_s in stills:
            frame = shots.render_still(scn, out, t_plus_s, args.size, force=args.force, **options)
            print(f"wrote {out}", file=sys.stderr if args.json else sys.stdout)
            if args.json:
                described.append({"file": str(out), **frame.describe()})
        if args.json:
            _print_json(described)
        return
    else:
        raise OrbitviewError(f"{args.out}: unknown extension {suffix or '(none)'!r}: expected .png or .mp4")
    print(f"wrote {path}")


def _stills(scn, args) -> list[tuple[str, float]]:
    """(file, T+) of each still from exactly one of --t-plus, --video-s, --event (events may be a
    comma-separated list when --out holds ``{event}``)."""
    given = [x is not None for x in (args.t_plus, args.video_s, args.event)]
    if sum(given) != 1:
        raise OrbitviewError(f"{args.out}: a still needs exactly one of --t-plus S, --video-s S, --event NAME")
    if args.event is not None:
        names = args.event
        if len(names) > 1 and "{event}" not in args.out:
            raise OrbitviewError(f"--out {args.out}: several events need {{event}} in the file name, "
                                 "e.g. out/frame-{event}.png")
        return [(args.out.replace("{event}", n), scn.instant_t_plus_s(event=n)) for n in names]
    return [(args.out, scn.instant_t_plus_s(args.t_plus, args.video_s))]


def cmd_export(args) -> None:
    if args.oem is None and args.czml is None:
        raise OrbitviewError("export: give --oem FILE.oem, --czml FILE.czml or both")
    scn = load_scenario(args.scenario)
    if args.czml is not None:                      # checked before any OEM file is written
        check_output(args.czml, CZML_SUFFIXES, args.force)
    written = scn.to_oem(args.oem, force=args.force) if args.oem is not None else []
    if args.czml is not None:
        written.append(scn.to_czml(args.czml, force=args.force))
    for path in written:
        print(f"wrote {path}")


def cmd_tle_check(args) -> int:
    sets, problems = tle.check(args.file)
    for elements in sets:
        s = elements.satrec
        print(f"{elements.source}:{elements.lineno}: ok  {elements.name}  #{s.satnum}  "
              f"epoch {elements.epoch.utc_strftime('%Y-%m-%d %H:%M:%S')} UTC  "
              f"i={math.degrees(s.inclo):.4f} deg  e={s.ecco:.7f}  "
              f"{s.no_kozai * 1440.0 / math.tau:.8f} rev/day")
    for problem in problems:
        print(f"orbitview: error: {problem}", file=sys.stderr)
    print(f"{len(sets)} valid element set{'s' if len(sets) != 1 else ''}, "
          f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return 1 if problems else 0


def cmd_visibility(args) -> None:
    from .sighting import visibility

    views = visibility(args.scenario, site=args.site, vehicle=args.vehicle, liftoff=args.liftoff,
                       elements=args.elements, catalog=args.catalog, payload_kg=args.payload_kg,
                       rendezvous_h=args.rendezvous_h)
    if args.json:
        _print_json([view.as_dict() for view in views])
        return
    for view in views:
        print(f"{view.observer}, liftoff {view.liftoff_utc}")
        rows = [{"body": i.body, "from T+ s": i.start_t_plus_s, "to T+ s": i.end_t_plus_s, "s": i.duration_s,
                 "nearest km": i.min_range_km, "light": i.lighting, "against": i.against,
                 "windows": ", ".join(i.windows) or "-"} for i in view.intervals]
        if rows:
            print(format_table(rows, list(rows[0])))
        best = [{"best": k + 1, "T+ s": m.t_plus_s, "UTC": m.utc[11:19], "range km": m.range_km, "light": m.lighting,
                 "against": m.against, "window": m.window, "score/s": m.score_per_s} for k, m in enumerate(view.best)]
        if best:
            print(format_table(best, list(best[0])))
        print(view.verdict)


def _write_csv(rows: list[dict], path: str, force: bool) -> None:
    import csv

    from .outputs import atomic_output
    from .surveys import ROW_FIELDS

    with atomic_output(path, (".csv",), force) as tmp, open(tmp, "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(ROW_FIELDS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def cmd_survey(args) -> int:
    from . import surveys

    for path, suffixes in ((args.out, (".csv",)), (args.plot, (".png",))):
        if path is not None:
            check_output(path, suffixes, args.force)
    runner = None
    if args.scheduler is not None or args.workers is not None:
        from .cluster import dask_runner

        runner = dask_runner(args.scheduler, args.workers)
    if args.manifest is not None:
        given = [f"--{name}" for name in ("site", "vehicle", "start", "end", "results", "payload_kg", "rendezvous_h")
                 if getattr(args, name) is not None]
        if given:
            raise OrbitviewError(f"--manifest {args.manifest}: the manifest names each launch (its payload and "
                                 f"rendezvous too); "
                                 f"drop {', '.join(g.replace('_', '-') for g in given)}")
        from .manifest import check_manifest

        rows, bad = check_manifest(args.manifest, args.elements, args.catalog, runner=runner)
    else:
        missing = [f"--{name}" for name in ("site", "vehicle", "elements", "start", "end")
                   if getattr(args, name) is None]
        if missing:
            raise OrbitviewError(f"survey: give {', '.join(missing)} (or --manifest FILE)")
        rows = surveys.survey(args.site, args.vehicle, args.elements, args.start, args.end, args.catalog,
                              args.payload_kg, results=args.results, runner=runner, rendezvous_h=args.rendezvous_h)
        bad = []
    if args.out is not None:
        _write_csv(rows, args.out, args.force)
    if args.plot is not None:
        from .surveyplot import calendar_figure

        calendar_figure(rows, args.plot, force=args.force, title=f"{args.vehicle or 'manifest'} from "
                        f"{args.site or args.manifest}: launch opportunities seen from orbit")
    if args.json:
        _print_json({"rows": rows, "bad_rows": bad} if args.manifest is not None else rows)
    else:
        columns = (["name", "net_utc"] if args.manifest is not None else []) + list(surveys.ROW_FIELDS)
        print(format_table(rows, columns) if rows else "no launch opportunities in the range")
        seen = [r for r in rows if r["visible_s"]]
        print(f"{len(rows)} opportunit{'y' if len(rows) == 1 else 'ies'}, {len(seen)} with the vehicle in view")
    for problem in bad:
        print(f"orbitview: error: {problem}", file=sys.stderr)
    for path in (args.out, args.plot):
        if path is not None:
            print(f"wrote {path}", file=sys.stderr)
    return 1 if bad else 0


JSON_HELP = "machine-readable output on stdout"


def _command(sub, name: str, run, help: str, description: str | None = None, scenario: bool = True,
             json: str | None = JSON_HELP) -> argparse.ArgumentParser:
    """A subcommand with what the scene commands share: the scenario argument and ``--json``."""
    p = sub.add_parser(name, help=help, description=description)
    if scenario:
        p.add_argument("scenario", help="a bundled scenario name or a path to a scenario TOML file")
    if json is not None:
        p.add_argument("--json", action="store_true", help=json)
    p.set_defaults(run=run)
    return p


def _launch_arguments(p: argparse.ArgumentParser) -> None:
    """The options that name a launch inline (visibility, survey)."""
    p.add_argument("--site", metavar="SITE", help="launch pad, a key of orbitview/data/sites.toml (baikonur-1/5)")
    p.add_argument("--vehicle", metavar="VEHICLE", help="a bundled vehicle name (soyuz-fg) or a vehicle file")
    p.add_argument("--elements", metavar="FILE_OR_NAME", help="element file (or bundled name, iss-2018-11)")
    p.add_argument("--catalog", type=int, metavar="N", help="whose plane to target when the file holds several")
    p.add_argument("--payload-kg", type=float, metavar="KG",
                   help=f"payload mass (default {DEFAULT_PAYLOAD_KG:,.0f} kg, a Soyuz or Progress)")
    p.add_argument("--rendezvous-h", type=float, metavar="HOURS",
                   help="liftoff to docking with the target: the plane is the one a chaser phasing up over that "
                        "time is inserted into, its node east of the target's (default: the target's own plane)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orbitview", description=(
        "Reconstruct what the ISS crew saw of a rocket launch: orbits and ascent on one clock, "
        "Cupola sightlines, rendered views."))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _command(sub, "scenarios", cmd_scenarios, "list the bundled scenarios", scenario=False)

    p = _command(sub, "geometry", cmd_geometry, "where everything is at given instants")
    p.add_argument("--t-plus", type=_seconds_list, required=True, metavar="S[,S...]",
                   help="seconds from liftoff, comma-separated (e.g. 0,118,287)")

    _command(sub, "events", cmd_events, "the timeline with the geometry at each event")
    _command(sub, "fit-video", cmd_fit_video, "the video-clock reconstruction from the published moments")
    _command(sub, "fit-camera", cmd_fit_camera, "the camera framing fitted to the video's description",
             description="Fit a fixed camera's lens, aim and roll to what the scenario's video shows "
                         "(orbitview/data/framing.toml: the clauses, their weights, the lenses); "
                         "report the fit, its residuals and the framings it rejected.")

    p = _command(sub, "render", cmd_render, "the view from the camera: one frame to PNG or a video to MP4",
                 description="Render a still (FILE.png at --t-plus, --video-s or --event) or a video "
                             "(FILE.mp4 over --video-range: video seconds through the scenario's video "
                             "clock, or T+ seconds at 10x for scenes without one).",
                 json="print what each still shows (limb, quadrants, Moon, bodies) as JSON on stdout")
    p.add_argument("--out", required=True, metavar="FILE", help="output .png or .mp4 (never overwritten without --force)")
    p.add_argument("--t-plus", type=float, metavar="S", help="seconds from liftoff (still)")
    p.add_argument("--video-s", type=float, metavar="S", help="seconds into the video (still, needs a video clock)")
    p.add_argument("--event", type=_event_names, metavar="NAME[,NAME...]",
                   help="event(s) of the timeline, e.g. core_separation (stills; with several, --out holds {event})")
    p.add_argument("--size", type=_size, metavar="WxH", help="image size, e.g. 1280x720 (default: the scenario's)")
    p.add_argument("--fps", type=float, metavar="N", help="video frame rate (default: the scenario's, else 30)")
    p.add_argument("--video-range", type=_range, metavar="A:B", help="the stretch to render (default: all)")
    p.add_argument("--exposure", type=float, metavar="GAIN",
                   help="gain over a daylight exposure (default: the scenario's [render] exposure or camera settings)")
    p.add_argument("--window-frame", action="store_true", help="draw the Cupola window frame")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")

    p = _command(sub, "export", cmd_export, "CCSDS OEM and CZML files of every body and event", json=None,
                 description="Write the scene's bodies over their lives: CCSDS OEM 2.0 (KVN, GCRF, UTC; "
                             "one object per file, so F.oem becomes F.ISS.oem, F.vehicle.oem, F.core.oem ...) "
                             "and a CZML document Cesium loads (every body, its life and the events).")
    p.add_argument("--oem", metavar="FILE.oem", help="OEM files named FILE.<body>.oem")
    p.add_argument("--czml", metavar="FILE.czml", help="one CZML document")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")

    p = _command(sub, "visibility", cmd_visibility, "when and how each observer sees the launch", scenario=False,
                 description="For every satellite in the scenario's element file: the intervals when the "
                             "vehicle and each falling part are in view, the range, against the Earth or "
                             "space, the lighting (night: flame only; twilight: sunlit over dark ground; "
                             "daylight), the Cupola windows, the best moments with their score, and a verdict. "
                             "Give a scenario, or the launch inline (--site, --vehicle, --liftoff, --elements).")
    p.add_argument("scenario", nargs="?", help="a bundled scenario name or a scenario TOML file")
    _launch_arguments(p)
    p.add_argument("--liftoff", metavar="UTC", help="liftoff time, ISO 8601 UTC (inline launch)")

    p = _command(sub, "survey", cmd_survey, "every launch opportunity in a date range, seen from orbit",
                 scenario=False,
                 description="Enumerate the launch opportunities on the ascending pass: the liftoffs at which "
                             "the vehicle, flying the plane's heading from the pad, lights its guided stage in the "
                             "observer's (or, with --rendezvous-h, the chaser's) plane, as rendezvous launches are "
                             "timed; fly each (once, re-timed), and print one row per opportunity; or check the "
                             "launches of a --manifest.")
    _launch_arguments(p)
    p.add_argument("--start", metavar="DATE", help="first day, ISO 8601 (2018-11-01 or 2018-11-01T12:00:00Z)")
    p.add_argument("--end", metavar="DATE", help="end of the range, ISO 8601")
    p.add_argument("--manifest", metavar="FILE", help="a TOML or CSV list of launches (site, vehicle, net, target)")
    p.add_argument("--out", metavar="FILE.csv", help="also write the rows to a CSV file")
    p.add_argument("--plot", metavar="FILE.png", help="a calendar of the opportunities, coloured by lighting and range")
    p.add_argument("--results", metavar="FILE.jsonl",
                   help="stream rows to this JSON-lines file as they finish; a rerun skips the liftoffs it holds")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on this Dask cluster (default: a local one with --workers processes, or in-process)")
    p.add_argument("--workers", type=int, metavar="N", help="local Dask worker processes (default: in-process)")
    p.add_argument("--force", action="store_true", help="overwrite existing --out and --plot files")

    p = sub.add_parser("tle", help="element-set tools")
    tle_sub = p.add_subparsers(dest="tle_command", required=True, metavar="ACTION")
    check = tle_sub.add_parser("check", help="validate a TLE file, one line per problem")
    check.add_argument("file", help="a 2-line or 3-line element file (or a bundled name)")
    check.set_defaults(run=cmd_tle_check)
    return parser


def _warn_on_one_line(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"orbitview: warning: {message}", file=sys.stderr)


class Interrupted(BaseException):
    """A stop signal turned into an exception in the main thread, so that every ``finally`` and
    ``__exit__`` on the way out runs (the video writer removes its temporary file and stops ffmpeg).
    A ``BaseException``, as ``KeyboardInterrupt`` is: ``except Exception`` does not swallow it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    for number in STOP_SIGNALS:          # a second signal must not cut the cleanup short
        signal.signal(number, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` while a command runs (handlers can
    only be set from the main thread; the previous ones are put back)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _raise_interrupted) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class _Stdout:
    """Standard output for one command. A reader that stops reading (``| head``) silences the rest
    of the output but leaves the exit status to the command (a failing ``tle check`` still fails);
    any other failed write (``> /dev/full``) is an :class:`OrbitviewError`."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            self._failed(exc)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            self._failed(exc)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def _failed(self, exc: OSError) -> None:
        # What is still buffered goes to /dev/null, so the flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):    # a stream without a descriptor (a test's capture) has no exit flush
            pass
        finally:
            os.close(devnull)
        if not isinstance(exc, BrokenPipeError):
            raise OrbitviewError(f"cannot write to standard output: {exc.strerror or exc}") from None


@contextmanager
def _guarded_stdout() -> Iterator[None]:
    stream = sys.stdout
    sys.stdout = _Stdout(stream)
    try:
        yield
    finally:
        sys.stdout = stream


def _error_line(message: str) -> str:
    """One line, however many lines or characters the message has (ffmpeg's output, a huge value)."""
    return shorten(" ".join(message.split()), MAX_ERROR_CHARS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    warnings.showwarning = _warn_on_one_line
    with _stop_signals_raise(), _guarded_stdout():
        try:
            args = parser.parse_args(argv)
            status = args.run(args) or 0
            sys.stdout.flush()           # a full device is reported here, not at exit
            return status
        except OrbitviewError as exc:
            print(f"orbitview: error: {_error_line(str(exc))}", file=sys.stderr)
            return 1
        except Interrupted as exc:
            print(f"orbitview: interrupted by {signal.Signals(exc.signum).name}", file=sys.stderr)
            return 128 + exc.signum


if __name__ == "__main__":
    sys.exit(main())
