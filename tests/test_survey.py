"""Launch opportunities, what the crew sees of a launch, and surveys: checked against the real
launches (Progress MS-10, Soyuz MS-15), Skyfield's own geometry, the J2 node-regression formula
and the bundled element sets, not against the code's own formulas."""
from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs

from orbitview import tle
from orbitview.cli import main
from orbitview.clock import parse_utc
from orbitview.earth import GM_EARTH_KM3_S2, J2_EARTH, WGS84_A_KM
from orbitview.errors import OrbitviewError, UnknownNameError
from orbitview.launches import DEFAULT_PAYLOAD_KG
from orbitview.opportunities import find_opportunities
from orbitview.sites import load_site
from orbitview.skydata import timescale
from orbitview.surveys import (PHASE_ERROR_KM_PER_DAY2, SurveyJob, fly_and_observe, read_done, retimed,
                              reuse_error_km, survey)
from orbitview.sighting import visibility

BAIKONUR = "baikonur-1/5"
MS10_LIFTOFF = "2018-11-16T18:14:08Z"      # Roscosmos: 21:14:08 Moscow time
MS15_LIFTOFF = "2019-09-25T13:57:42.7Z"


def _seconds(a, b) -> float:
    return (a.tt - b.tt) * 86400.0


@pytest.fixture(scope="module")
def job_2018() -> SurveyJob:
    return SurveyJob(BAIKONUR, "soyuz-fg", "iss-2018-11")


@pytest.fixture(scope="module")
def week_2018(job_2018):
    """The ascending opportunities of the week around Progress MS-10."""
    return find_opportunities(job_2018.observer(), load_site(BAIKONUR), parse_utc("2018-11-13"),
                              parse_utc("2018-11-20"))


@pytest.mark.parametrize("elements, start, end, real, rendezvous_h, within_s", [
    # measured: the liftoff on time is 41.6 s before Progress MS-10's (a two-day rendezvous, docked
    # 49.2 h after liftoff; the pad crosses the station's own plane 17 s after it) ...
    ("iss-2018-11", "2018-11-15T12:00:00Z", "2018-11-17T12:00:00Z", MS10_LIFTOFF, 49.2, 55.0),
    # ... and 31.7 s after Soyuz MS-15's (docked 5.75 h after liftoff; the crossing is 196 s after it).
    # The bounds are those plus a margin of ~15 s (the rendezvous profile is an estimate: with no node
    # lead at all, MS-15's would be 16.8 s after, MS-10's 158 s before). Before the liftoff was shot on
    # time (the crossing itself) the bound had to be 240 s.
    ("iss-2019-09", "2019-09-24T12:00:00Z", "2019-09-26T12:00:00Z", MS15_LIFTOFF, 5.75, 45.0),
])
def test_opportunities_rediscover_the_real_launches(elements, start, end, real, rendezvous_h, within_s):
    job = SurveyJob(BAIKONUR, "soyuz-fg", elements, payload_kg=DEFAULT_PAYLOAD_KG, rendezvous_h=rendezvous_h)
    found = job.opportunities(parse_utc(start), parse_utc(end))
    nearest = min(found, key=lambda o: abs(_seconds(o.liftoff, parse_utc(real))))
    assert abs(_seconds(nearest.liftoff, parse_utc(real))) < within_s
    assert len(found) == 2              # one ascending opportunity a day (every 23 h 36 min)


def test_on_time_the_guided_stage_lights_in_the_plane_and_the_rendezvous_lead_delays_it():
    """At the liftoff on time the open-loop stages, flying the range's heading, bring the guided
    stage to its ignition in the plane (within the 0.1 s the liftoff is shot to: ~15 m); 0.5 s off,
    they miss it by ~75 m. A rendezvous plane turned east by the J2 lead d is crossed d / (Earth's
    rotation - the plane's regression) later: the lead here integrated numerically from Vallado's
    eq. 9-41 over a semi-major axis rising linearly from the insertion orbit's to the station's
    (its mean motion from the element set), not from the code's closed form."""
    from scipy.integrate import quad

    start, end = parse_utc("2018-11-16T00:00:00Z"), parse_utc("2018-11-17T00:00:00Z")
    own = SurveyJob(BAIKONUR, "soyuz-fg", "iss-2018-11").opportunities(start, end)[0]
    job = SurveyJob(BAIKONUR, "soyuz-fg", "iss-2018-11", rendezvous_h=49.2)
    chased = job.opportunities(start, end)[0]
    assert abs(job.miss_km(chased.liftoff)) < 0.02
    assert abs(job.miss_km(timescale().tt_jd(chased.liftoff.tt + 0.5 / 86400.0))) > 0.05

    s = tle.load("iss-2018-11").sets[0].satrec
    n = s.no_kozai / 60.0
    a_iss = (GM_EARTH_KM3_S2 / n**2) ** (1.0 / 3.0)

    def rate(a: float, e: float = 0.0) -> float:
        p = a * (1 - e * e)
        return -1.5 * math.sqrt(GM_EARTH_KM3_S2 / a**3) * J2_EARTH * (WGS84_A_KM / p) ** 2 * math.cos(s.inclo)
    a0, span = WGS84_A_KM + 220.0, 49.2 * 3600.0         # the insertion orbit, 200 x 240 km
    lead, _ = quad(lambda t: rate(a0 + (a_iss - a0) * t / span) - rate(a_iss, s.ecco), 0.0, span)
    delay_s = -lead / (7.292115e-5 - rate(a_iss, s.ecco))
    assert math.degrees(-lead) == pytest.approx(0.52, abs=0.03)
    assert chased.offset_s - own.offset_s == pytest.approx(delay_s, abs=3.0)      # measured: 116.6 s


def test_the_pad_is_in_the_plane_skyfield_computes(week_2018):
    """At each opportunity the pad lies in the ISS's orbital plane (Skyfield's EarthSatellite and
    ITRS frame, independently of orbitview's rotations), and the orbit runs north-east over it."""
    sets = tle.load("iss-2018-11").sets
    site = load_site(BAIKONUR)
    pad = wgs84.latlon(site.lat_deg, site.lon_deg, site.alt_km * 1000.0)
    ts = timescale()
    for o in week_2018:
        t = o.liftoff
        nearest = min(sets, key=lambda s: abs(s.satrec.jdsatepoch + s.satrec.jdsatepochF - t.tt))
        sat = EarthSatellite(nearest.line1, nearest.line2, ts=ts)
        r, v = sat.at(t).frame_xyz_and_velocity(itrs)
        normal = np.cross(r.km, v.km_per_s + np.cross([0, 0, 7.292115e-5], r.km))   # inertial velocity in ITRS axes
        normal /= np.linalg.norm(normal)
        p = pad.itrs_xyz.km / np.linalg.norm(pad.itrs_xyz.km)
        assert abs(math.degrees(math.asin(p @ normal))) < 0.003        # 0.003 deg: 330 m at the pad
        along = np.cross(normal, p)
        lat_c = math.asin(p[2])                              # the pad's geocentric latitude
        east = np.array([-p[1], p[0], 0.0]) / math.hypot(p[0], p[1])
        north = np.cross(p, east)
        azimuth = math.degrees(math.atan2(along @ east, along @ north))
        # spherical trigonometry: an in-plane launch heads sin(az) = cos(i) / cos(lat) -> 62.7 deg
        expected = math.degrees(math.asin(normal[2] / math.cos(lat_c)))
        assert azimuth == pytest.approx(expected, abs=0.01)


def test_opportunities_recur_at_the_plane_s_synodic_day(job_2018):
    """Successive crossings are one turn of the Earth relative to the regressing plane apart:
    360 deg / (Earth rotation - J2 node rate), the rate from the textbook formula
    -3/2 n J2 (a_e / p)^2 cos i (Vallado, Fundamentals of Astrodynamics, eq. 9-41)."""
    found = find_opportunities(job_2018.observer(), load_site(BAIKONUR), parse_utc("2018-11-01"),
                               parse_utc("2018-11-29"))
    s = tle.load("iss-2018-11").sets[0].satrec
    n = s.no_kozai / 60.0                                   # rad/s
    a = (GM_EARTH_KM3_S2 / n**2) ** (1.0 / 3.0)
    node_rate = -1.5 * n * J2_EARTH * (WGS84_A_KM / (a * (1 - s.ecco**2))) ** 2 * math.cos(s.inclo)
    period = 2.0 * math.pi / (7.292115e-5 - node_rate)
    gaps = np.diff([o.liftoff.tt for o in found]) * 86400.0
    assert len(found) >= 27
    assert np.mean(gaps) == pytest.approx(period, abs=5.0)          # 23 h 36 min
    assert np.all(np.abs(gaps - period) < 120.0)                    # the short-period wobble of the plane


def test_a_site_above_the_inclination_is_refused(job_2018):
    with pytest.raises(OrbitviewError, match=r"latitude 62\.929 deg is above the inclination 51\.6\d+ deg"):
        find_opportunities(job_2018.observer(), load_site("plesetsk-43/4"), parse_utc("2018-11-13"),
                           parse_utc("2018-11-14"))


def test_phase_error_rate_is_what_the_bundled_sets_show():
    """The along-track drift constant is the two 2018 sets' disagreement at the later epoch over
    the gap squared (drag makes it grow as the square of the time)."""
    early, late = tle.load("iss-2018-11").sets
    jd = np.array([late.satrec.jdsatepoch]), np.array([late.satrec.jdsatepochF])
    r0, _ = early.teme_km(*jd)
    r1, v1 = late.teme_km(*jd)
    along = float((r0 - r1)[:, 0] @ (v1[:, 0] / np.linalg.norm(v1[:, 0])))
    gap = jd[0][0] + jd[1][0] - early.satrec.jdsatepoch - early.satrec.jdsatepochF
    assert abs(along) / gap**2 == pytest.approx(PHASE_ERROR_KM_PER_DAY2, rel=0.02)


def test_visibility_of_the_two_real_launches():
    """Gerst filmed Progress MS-10 at night, the rocket in frame throughout its powered flight;
    Koch photographed Soyuz MS-15 at dusk, its plume and strap-on boosters lit by the Sun."""
    (ms10,) = visibility("progress-ms10")
    assert ms10.lighting == "night"
    vehicle = [i for i in ms10.intervals if i.body == "vehicle"]
    assert len(vehicle) == 1 and vehicle[0].start_t_plus_s == 0.0 and vehicle[0].end_t_plus_s > 500.0
    assert all(i.body == "vehicle" for i in ms10.intervals)     # dark falling parts give no light
    assert ms10.verdict.startswith("ISS sees the vehicle for")
    (ms15,) = visibility("soyuz-ms15")
    assert ms15.lighting == "twilight"
    boosters = [i for i in ms15.intervals if i.body.startswith("booster")]
    assert len(boosters) == 4 and all(i.lighting == "twilight" and 115.0 < i.start_t_plus_s < 125.0 for i in boosters)
    # the inline launch is the same launch
    inline = visibility(site=BAIKONUR, vehicle="soyuz-fg", liftoff=MS15_LIFTOFF, elements="iss-2019-09",
                        payload_kg=7200.0)[0]
    assert inline.row() | {"observer": "ISS"} == ms15.row()


def test_the_score_is_the_weighted_inverse_square_integral():
    """One seen second at the reference range in twilight scores its weight: the score of a
    launch is bounded by its seen seconds x weight x (reference / nearest range)^2."""
    (ms15,) = visibility("soyuz-ms15")
    seen = sum(i.duration_s + 2.0 for i in ms15.intervals if i.body == "vehicle")   # a run stands for its samples
    assert 0.0 < ms15.score <= seen * 1.0 * (1000.0 / ms15.min_range_km) ** 2
    best = ms15.best[0]
    weight = {"twilight": 1.0, "night": 0.5, "daylight": 0.05}[best.lighting]
    assert best.score_per_s == pytest.approx(weight * (1000.0 / best.range_km) ** 2)


def test_survey_ranks_the_real_launch_first(job_2018):
    rows = survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-11-10", "2018-11-24", rendezvous_h=49.2)
    best = max(rows, key=lambda r: r["score"])
    assert abs(_seconds(parse_utc(best["liftoff_utc"]), parse_utc(MS10_LIFTOFF))) < 60.0
    assert best["lighting"] == "night" and best["visible_s"] > 500.0
    assert len(rows) == 14 and all(r["liftoff_utc"].endswith("Z") for r in rows)


def test_reuse_matches_fresh_flights(job_2018, week_2018):
    """A re-timed flight is the fresh flight to a few km (the plane's short-period wobble moves
    the guidance's aim), and the survey's rows do not change."""
    ref, other = week_2018[0].liftoff, week_2018[3].liftoff
    assert reuse_error_km(job_2018, ref, other) < 15.0
    tt = [o.liftoff.tt for o in week_2018[2:5]]
    assert fly_and_observe(job_2018, ref.tt, tt) == fly_and_observe(job_2018, ref.tt, tt, reuse=False)


def test_retimed_flight_keeps_earth_fixed_points(job_2018, week_2018):
    """Re-timing keeps where the core stage lands on the Earth (impact points are Earth-fixed)."""
    from orbitview.surveys import reference_flight

    ref = reference_flight(job_2018, week_2018[0].liftoff.tt)
    again = retimed(ref, week_2018[3].liftoff)
    t = again.clock.t_plus([1000.0])
    ll = again.bodies["core"].geodetic(t)
    assert float(ll.lat_deg[0]) == pytest.approx(ref.impacts["core"].lat_deg, abs=0.01)
    assert float(ll.lon_deg[0]) == pytest.approx(ref.impacts["core"].lon_deg, abs=0.01)


def test_results_stream_and_a_rerun_skips_what_is_done(tmp_path):
    results = tmp_path / "week.jsonl"
    first = survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-11-13", "2018-11-20", results=results)
    lines = results.read_text().splitlines()
    assert json.loads(lines[0]) == {"orbitview_survey": {"site": BAIKONUR, "vehicle": "soyuz-fg", "elements": "iss-2018-11",
                                                         "catalog": None, "payload_kg": DEFAULT_PAYLOAD_KG,
                                                         "rendezvous_h": 0.0}}
    assert [json.loads(line) for line in lines[1:]] == first
    results.write_text("\n".join(lines[:4]) + "\n" + lines[4][:25])      # killed while writing row 4
    asked: list[float] = []

    def runner(job, reference_tt, chunks):
        for chunk in chunks:
            asked.extend(chunk)
            yield fly_and_observe(job, reference_tt, chunk)

    again = survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-11-13", "2018-11-20", results=results, runner=runner)
    assert len(asked) == len(first) - 3
    assert again == first
    job = SurveyJob(BAIKONUR, "soyuz-fg", "iss-2018-11")
    assert sorted(read_done(results, job), key=lambda r: r["liftoff_utc"]) == first


def test_a_results_file_of_another_survey_is_refused_and_left_alone(tmp_path):
    results = tmp_path / "week.jsonl"
    survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-11-13", "2018-11-15", results=results)
    before = results.read_bytes()
    with pytest.raises(OrbitviewError, match=r"week\.jsonl: holds the results of another survey .*'payload_kg': 7300\.0"):
        survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-11-13", "2018-11-15", payload_kg=7300.0, results=results)
    other = tmp_path / "notes.jsonl"
    other.write_text('{"liftoff_utc": "2018-11-13T00:00:00Z"}\n')
    with pytest.raises(OrbitviewError, match=r"notes\.jsonl: not an orbitview survey results file"):
        survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-11-13", "2018-11-15", results=other)
    assert results.read_bytes() == before


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, needle", [
    (["--start", "2018-11-20", "--end", "2018-11-13"], "date range --start 2018-11-20 --end 2018-11-13"),
    (["--start", "2018-11-13", "--end", "2018-11-13"], "expected an end after the start"),
    (["--start", "yesterday", "--end", "2018-11-14"], "--start 'yesterday': expected an ISO-8601 date"),
    (["--start", "2018-11-13", "--end", "2018-11-14", "--results", "rows.csv"], "rows.csv: unknown extension '.csv'"),
    (["--start", "2018-11-13", "--end", "2018-11-14", "--catalog", "48274"], "unknown catalog number in iss-2018-11.tle '48274'"),
])
def test_survey_bad_input_is_one_line(capsys, argv, needle):
    code, _, err = _run(capsys, "survey", "--site", BAIKONUR, "--vehicle", "soyuz-fg", "--elements", "iss-2018-11", *argv)
    assert code == 1 and err.count("\n") == 1 and needle in err, err


def test_survey_site_above_inclination_cli(capsys):
    code, _, err = _run(capsys, "survey", "--site", "plesetsk-43/4", "--vehicle", "soyuz-fg", "--elements",
                        "iss-2018-11", "--start", "2018-11-13", "--end", "2018-11-14")
    assert code == 1 and "site 'plesetsk-43/4': latitude 62.929 deg is above the inclination" in err


def test_survey_cli_csv_and_json(capsys, tmp_path):
    out = tmp_path / "s.csv"
    code, text, _ = _run(capsys, "survey", "--site", BAIKONUR, "--vehicle", "soyuz-fg", "--elements", "iss-2018-11",
                         "--start", "2018-11-16", "--end", "2018-11-17", "--json", "--out", str(out))
    rows = json.loads(text)
    assert code == 0 and len(rows) == 1 and rows[0]["lighting"] == "night"
    assert out.read_text().splitlines()[0] == ("liftoff_utc,observer,visible_s,min_range_km,lighting,"
                                               "best_t_plus_s,window,score")
    code, _, err = _run(capsys, "survey", "--site", BAIKONUR, "--vehicle", "soyuz-fg", "--elements", "iss-2018-11",
                        "--start", "2018-11-16", "--end", "2018-11-17", "--out", str(out))
    assert code == 1 and "exists" in err                                  # never overwritten without --force


def test_visibility_cli(capsys):
    code, out, _ = _run(capsys, "visibility", "soyuz-ms15")
    assert code == 0 and "twilight" in out and out.strip().splitlines()[-1].startswith("ISS sees the vehicle")
    code, _, err = _run(capsys, "visibility", "--site", BAIKONUR, "--vehicle", "soyuz-fg", "--elements", "iss-2019-09")
    assert code == 1 and err == "orbitview: error: a launch given inline needs liftoff (or give a scenario)\n"
    code, _, err = _run(capsys, "visibility", "--site", "nowhere", "--vehicle", "soyuz-fg", "--elements",
                        "iss-2019-09", "--liftoff", MS15_LIFTOFF)
    assert code == 1 and "unknown site 'nowhere'" in err and err.count("\n") == 1


def test_stale_elements_warn_once_with_the_phase_trust(job_2018):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey(BAIKONUR, "soyuz-fg", "iss-2018-11", "2018-12-20", "2018-12-23")
    stale = [w for w in caught if issubclass(w.category, tle.StaleElementsWarning)]
    assert len(stale) == 1
    assert "days from the nearest element set" in str(stale[0].message) and "km" in str(stale[0].message)


def test_unknown_catalog_names_the_file():
    with pytest.raises(UnknownNameError, match=r"catalog number in iss-2019-09\.tle '1': expected one of 25544"):
        SurveyJob(BAIKONUR, "soyuz-fg", "iss-2019-09", catalog=1).observer()


def test_calendar_png_colours_each_lighting(tmp_path):
    """The calendar draws each lighting class in its colour: a survey with night, twilight and
    daylight opportunities shows all three colours; the file is never overwritten without force."""
    from matplotlib.image import imread

    from orbitview.surveyplot import COLOURS, calendar_figure

    rows = [{"liftoff_utc": "2018-11-16T18:14:25Z", "lighting": "night", "min_range_km": 407.0, "score": 280.0},
            {"liftoff_utc": "2018-11-20T12:00:00Z", "lighting": "twilight", "min_range_km": 900.0, "score": 50.0},
            {"liftoff_utc": "2018-11-25T06:00:00Z", "lighting": "daylight", "min_range_km": 600.0, "score": 20.0},
            {"liftoff_utc": "2018-11-26T05:36:00Z", "lighting": "none", "min_range_km": None, "score": 0.0}]
    path = calendar_figure(rows, tmp_path / "cal.png")
    pixels = (imread(path)[:, :, :3] * 255).round()
    for name in ("night", "twilight", "daylight"):
        rgb = np.array([int(COLOURS[name][i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels - rgb).max(axis=2) < 3).sum() > 100, name
    with pytest.raises(OrbitviewError, match="exists"):
        calendar_figure(rows, path)


def test_every_satellite_of_the_element_file_is_an_observer(tmp_path):
    """A file holding two satellites gives one view each; the same elements under a second catalog
    number must see exactly what the first sees (only the name differs)."""
    from orbitview.tle import checksum

    text = tle.load("iss-2019-09").sets[0]
    twin = []
    for line in (text.line1, text.line2):
        line = line[:2] + "99999" + line[7:68]
        twin.append(line + str(checksum(line)))
    path = tmp_path / "two.tle"
    path.write_text(f"ISS (ZARYA)\n{text.line1}\n{text.line2}\nTWIN\n{twin[0]}\n{twin[1]}\n")
    views = visibility(site=BAIKONUR, vehicle="soyuz-fg", liftoff=MS15_LIFTOFF, elements=str(path), catalog=25544)
    assert [v.observer for v in views] == ["ISS (ZARYA)", "TWIN"]
    assert views[1].row() | {"observer": "ISS (ZARYA)"} == views[0].row()
    with pytest.raises(UnknownNameError, match=r"catalog number in two\.tle '\(none given\)': expected one of 25544, 99999"):
        visibility(site=BAIKONUR, vehicle="soyuz-fg", liftoff=MS15_LIFTOFF, elements=str(path))
