"""CCSDS OEM and CZML export, read back by independent readers (the ``oem`` package, ``czml3``)
and compared with the scene they came from."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from astropy.time import Time as AstropyTime
from czml3 import Document
from oem import OrbitEphemerisMessage

import orbitview as ov
from orbitview import export
from orbitview.clock import parse_utc
from orbitview.errors import OrbitviewError
from orbitview.skydata import timescale
from orbitview.tle import StaleElementsWarning

SAMPLE_TOLERANCE_M = 1.0          # a written sample against the scene at its (microsecond) epoch
INTERPOLATED_TOLERANCE_M = 0.1    # cubic Hermite between 2 s samples (measured: 0.06 m at most)
VELOCITY_TOLERANCE_KM_S = 1e-6    # 1 mm/s
EPOCH_TOLERANCE_S = 2e-6          # epochs are written to the microsecond (truncated), read back through float T+

pytestmark = pytest.mark.filterwarnings(f"ignore::{StaleElementsWarning.__module__}.{StaleElementsWarning.__name__}")


@pytest.fixture(scope="module")
def scene():
    return ov.load_scenario("progress-ms10")


@pytest.fixture(scope="module")
def bodies(scene):
    return {scene.observer.name: scene.observer, **scene.bodies}


@pytest.fixture(scope="module")
def lives(scene, bodies):
    return {name: (0.0, scene.end_t_plus_s) if name == scene.observer.name else scene.lifetime_t_plus_s(name)
            for name in bodies}


@pytest.fixture(scope="module")
def oems(scene, tmp_path_factory):
    paths = export.write_oem(scene, tmp_path_factory.mktemp("oem") / "ms10.oem")
    return {path.name.split(".")[1]: OrbitEphemerisMessage.open(path) for path in paths}


@pytest.fixture(scope="module")
def czml_path(scene, tmp_path_factory):
    return export.write_czml(scene, tmp_path_factory.mktemp("czml") / "ms10.czml")


@pytest.fixture(scope="module")
def packets(czml_path):
    return json.loads(czml_path.read_text())


def t_plus_of(scene, epochs: AstropyTime) -> np.ndarray:
    """T+ seconds of astropy epochs, keeping their two-part precision."""
    tt = epochs.tt
    return scene.clock.t_plus_s(timescale().tt_jd(tt.jd1, tt.jd2))


def scene_state(scene, body, t_plus_s: np.ndarray, life: tuple[float, float]):
    """The scene's state at T+, held inside the life by the epochs' rounding (a release adds an
    impulse, an impact stops the fall: the file holds the limits from inside)."""
    clipped = np.clip(t_plus_s, life[0] + EPOCH_TOLERANCE_S, life[1] - EPOCH_TOLERANCE_S)
    return body.gcrs_state(scene.clock.t_plus(clipped))


# --- OEM ---------------------------------------------------------------------------------------------

def test_one_oem_per_body_each_with_one_segment(oems, bodies):
    assert set(oems) == set(bodies)
    assert all(len(list(message)) == 1 for message in oems.values())


def test_oem_header_and_metadata(scene, oems):
    for name, message in oems.items():
        assert message.version == "2.0"
        assert message.header["ORIGINATOR"] == "ORBITVIEW"
        (segment,) = message
        meta = segment.metadata
        assert (meta["OBJECT_NAME"], meta["OBJECT_ID"]) == (name, f"{scene.name}/{name}")
        assert (meta["CENTER_NAME"], meta["REF_FRAME"], meta["TIME_SYSTEM"]) == ("EARTH", "GCRF", "UTC")
        assert (meta["INTERPOLATION"], int(meta["INTERPOLATION_DEGREE"])) == ("HERMITE", 3)
        assert meta["START_TIME"] == meta["USEABLE_START_TIME"]
        assert meta["STOP_TIME"] == meta["USEABLE_STOP_TIME"]


def test_oem_segment_spans_the_body_life(scene, oems, lives):
    for name, message in oems.items():
        (segment,) = message
        span = t_plus_of(scene, AstropyTime([segment.useable_start_time, segment.useable_stop_time]))
        np.testing.assert_allclose(span, lives[name], rtol=0, atol=EPOCH_TOLERANCE_S, err_msg=name)
        states = list(segment.states)
        assert (states[0].epoch, states[-1].epoch) == (segment.useable_start_time, segment.useable_stop_time)


def test_oem_samples_resolve_the_ascent(scene, oems):
    events = np.array([event.t_plus_s for event in scene.events])
    for name, message in oems.items():
        (segment,) = message
        t = t_plus_of(scene, AstropyTime([state.epoch for state in segment.states]))
        assert np.diff(t).max() <= export.STEP_S + EPOCH_TOLERANCE_S, name
        inside = events[(events > t[0]) & (events < t[-1])]
        assert np.abs(t[:, None] - inside[None, :]).min(axis=0).max(initial=0) < EPOCH_TOLERANCE_S, name


def test_oem_states_agree_with_the_scene_at_the_samples(scene, oems, bodies, lives):
    for name, message in oems.items():
        (segment,) = message
        states = list(segment.states)
        epochs = AstropyTime([state.epoch for state in states])
        t = t_plus_of(scene, epochs)
        r, v = scene_state(scene, bodies[name], t, lives[name])
        written_r = np.array([state.position for state in states]).T
        written_v = np.array([state.velocity for state in states]).T
        assert np.linalg.norm(written_r - r, axis=0).max() * 1000 < SAMPLE_TOLERANCE_M, name
        assert np.linalg.norm(written_v - v, axis=0).max() < VELOCITY_TOLERANCE_KM_S + 8e-6, name  # 1 us of 8 m/s2
        # Skyfield's own position agrees too (same numbers, through VectorFunction.at).
        skyfield_km = bodies[name].at(scene.clock.t_plus(np.clip(t, *np.add(lives[name], [1e-6, -1e-6])))).position.km
        assert np.linalg.norm(written_r - skyfield_km, axis=0).max() * 1000 < SAMPLE_TOLERANCE_M, name


def test_oem_interpolated_by_its_reader_agrees_with_the_scene(scene, oems, bodies, lives):
    """The ``oem`` package interpolates as the metadata says (HERMITE, degree 3) between samples."""
    worst = {}
    for name, message in oems.items():
        (segment,) = message
        epochs = AstropyTime([state.epoch for state in segment.states])
        midpoints = epochs[:-1] + (epochs[1:] - epochs[:-1]) / 2
        chosen = midpoints[np.unique(np.r_[np.linspace(0, len(midpoints) - 1, 20).astype(int)])]
        interpolated = np.array([segment(epoch).position for epoch in chosen]).T
        r, _ = scene_state(scene, bodies[name], t_plus_of(scene, chosen), lives[name])
        worst[name] = np.linalg.norm(interpolated - r, axis=0).max() * 1000
    assert max(worst.values()) < INTERPOLATED_TOLERANCE_M, worst


# --- CZML --------------------------------------------------------------------------------------------

def test_czml_validates_with_czml3(czml_path):
    document = Document.load(czml_path)
    assert document.packets[0].id == "document"


def test_czml_document_packet_carries_the_scene_clock(scene, packets):
    first = packets[0]
    assert (first["id"], first["version"], first["name"]) == ("document", "1.0", scene.title)
    clock = first["clock"]
    start, end = clock["interval"].split("/")
    assert [t_plus_of_iso(scene, start), t_plus_of_iso(scene, end)] == pytest.approx([0.0, scene.end_t_plus_s])
    assert t_plus_of_iso(scene, clock["currentTime"]) == pytest.approx(0.0)
    assert clock["multiplier"] == export.CZML_MULTIPLIER


def t_plus_of_iso(scene, stamp: str) -> float:
    return float(scene.clock.t_plus_s(parse_utc(stamp)))


def test_czml_one_packet_per_body_over_its_life(scene, packets, bodies, lives, oems):
    by_id = {packet["id"]: packet for packet in packets}
    for name, body in bodies.items():
        packet = by_id[name]
        start, end = packet["availability"].split("/")
        span = [t_plus_of_iso(scene, start), t_plus_of_iso(scene, end)]
        np.testing.assert_allclose(span, lives[name], rtol=0, atol=EPOCH_TOLERANCE_S, err_msg=name)
        position = packet["position"]
        assert (position["referenceFrame"], position["interpolationAlgorithm"],
                position["interpolationDegree"]) == ("INERTIAL", "HERMITE", 3)
        assert t_plus_of_iso(scene, position["epoch"]) == pytest.approx(span[0], abs=EPOCH_TOLERANCE_S)
        samples = np.array(position["cartesianVelocity"]).reshape(-1, 7).T
        (segment,) = oems[name]
        assert samples.shape[1] == len(list(segment.states)), name        # the OEM's samples, no more
        t = span[0] + samples[0]
        assert t[-1] == pytest.approx(span[1], abs=2 * EPOCH_TOLERANCE_S)   # each rounded to 1 us
        r, v = scene_state(scene, body, t, lives[name])
        assert np.linalg.norm(samples[1:4] - r * 1000, axis=0).max() < SAMPLE_TOLERANCE_M, name
        assert np.linalg.norm(samples[4:] - v * 1000, axis=0).max() < 0.01, name
        assert {"point", "label", "path"} <= set(packet)


def test_czml_labels_every_event_where_its_body_was(scene, packets, bodies):
    by_id = {packet["id"]: packet for packet in packets}
    for event in scene.events:
        packet = by_id[f"event/{event.name}"]
        start, end = (t_plus_of_iso(scene, stamp) for stamp in packet["availability"].split("/"))
        assert [start, end] == pytest.approx([event.t_plus_s - export.EVENT_LABEL_S,
                                              event.t_plus_s + export.EVENT_LABEL_S], abs=EPOCH_TOLERANCE_S)
        named = event.body.split(", ")[0]          # the sky's events (moonset) are labelled at the observer
        r, _ = bodies.get(named, bodies[scene.observer.name]).gcrs_state(scene.clock.t_plus(event.t_plus_s))
        assert packet["position"]["referenceFrame"] == "INERTIAL"
        assert np.linalg.norm(np.array(packet["position"]["cartesian"]) - r * 1000) < SAMPLE_TOLERANCE_M
        assert event.name in packet["label"]["text"]
    assert len(packets) == 1 + len(bodies) + len(scene.events)


# --- sampling --------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, stop, step, breaks", [
    (0.0, 10.0, 2.0, []),
    (118.0119, 611.7574, 2.0, [0.0, 118.0119, 287.0, 287.0004, 527.3, 611.7570, 900.0]),
    (3.0, 3.5, 2.0, [3.2]),
])
def test_sample_instants_land_on_the_ends_and_the_breaks(start, stop, step, breaks):
    t = export.sample_instants(start, stop, step, np.array(breaks))
    assert (t[0], t[-1]) == (start, stop)
    assert np.all(np.diff(t) > export.MIN_SPACING_S) and np.diff(t).max() <= step * (1 + 1e-12)
    for b in breaks:
        if start < b < stop:
            assert np.abs(t - b).min() <= export.MIN_SPACING_S


# --- bad input ---------------------------------------------------------------------------------------

def test_existing_files_are_kept_without_force(scene, tmp_path):
    kept = tmp_path / "ms10.core.oem"
    kept.write_text("mine")
    with pytest.raises(OrbitviewError, match="ms10.core.oem exists"):
        export.write_oem(scene, tmp_path / "ms10.oem")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ms10.core.oem"] and kept.read_text() == "mine"

    czml = tmp_path / "ms10.czml"
    czml.write_text("mine")
    with pytest.raises(OrbitviewError, match="ms10.czml exists"):
        export.write_czml(scene, czml)
    assert czml.read_text() == "mine"
    export.write_czml(scene, czml, force=True)
    assert json.loads(czml.read_text())[0]["id"] == "document"


@pytest.mark.parametrize("writer, name", [(export.write_oem, "ms10.txt"), (export.write_czml, "ms10.json"),
                                          (export.write_oem, "ms10.czml"), (export.write_czml, "ms10.oem")])
def test_wrong_extension_is_refused(scene, tmp_path, writer, name):
    with pytest.raises(OrbitviewError, match=name.replace(".", r"\.") + ": unknown extension"):
        writer(scene, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_bad_step_is_refused(scene, tmp_path):
    with pytest.raises(OrbitviewError, match="step_s"):
        export.write_oem(scene, tmp_path / "ms10.oem", step_s=0.0)
    assert list(tmp_path.iterdir()) == []


def test_nothing_is_left_behind_on_failure(scene, tmp_path, monkeypatch):
    calls = []

    def failing(*args):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return "partial\n"

    monkeypatch.setattr(export, "oem_text", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        export.write_oem(scene, tmp_path / "ms10.oem")
    monkeypatch.setattr(export, "czml_packets", lambda *args: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError, match="disk full"):
        export.write_czml(scene, tmp_path / "ms10.czml")
    assert list(tmp_path.iterdir()) == []


def test_oem_paths_name_every_body(scene):
    paths = export.oem_paths(scene, Path("ms10.oem"))
    assert paths[scene.observer.name] == Path(f"ms10.{scene.observer.name}.oem")
    assert [p.suffix for p in paths.values()] == [".oem"] * (1 + len(scene.bodies))
