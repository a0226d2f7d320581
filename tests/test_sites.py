"""Launch pads: the bundled table, look-ups and validation."""
from __future__ import annotations

import numpy as np
import pytest

from orbitview.earth import itrs_to_geodetic
from orbitview.errors import DataError, UnknownNameError
from orbitview.sites import load_site, load_sites


def test_baikonur_gagarins_start():
    site = load_site("baikonur-1/5")
    assert (site.lat_deg, site.lon_deg) == (45.920, 63.342)
    lat, lon, alt = itrs_to_geodetic(site.itrs_km)
    assert (float(lat), float(lon), float(alt)) == pytest.approx((45.920, 63.342, site.alt_km), abs=1e-9)
    assert site.allows_azimuth(62.7) and not site.allows_azimuth(100.0)


def test_the_world_s_major_pads_are_there_with_sources():
    sites = load_sites()
    for key in ["baikonur-31/6", "plesetsk-43/4", "vostochny-1s", "kourou-els", "kourou-ela-3",
                "cape-canaveral-slc-40", "kennedy-lc-39a", "vandenberg-slc-4e", "jiuquan-lc-43/921",
                "xichang-lc-3", "wenchang-lc-101", "taiyuan-lc-9", "tanegashima-yoshinobu-1",
                "sriharikota-slp", "mahia-lc-1a"]:
        assert key in sites and sites[key].source
    cape = sites["kennedy-lc-39a"]
    assert cape.lat_deg == pytest.approx(28.6, abs=0.1) and cape.lon_deg == pytest.approx(-80.6, abs=0.1)


def test_lookup_is_case_insensitive_and_unknown_names_list_the_known():
    assert load_site("Baikonur-1/5").key == "baikonur-1/5"
    with pytest.raises(UnknownNameError, match="unknown site 'atlantis'.*baikonur-1/5"):
        load_site("atlantis")


def test_azimuth_limits_may_wrap_through_north():
    plesetsk = load_site("plesetsk-43/4")
    assert plesetsk.allows_azimuth(350.0) and plesetsk.allows_azimuth(10.0)
    assert not plesetsk.allows_azimuth(180.0)


def test_a_bad_site_file_names_the_file_and_field(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text('[sites.x]\nname = "X"\nlat_deg = 95.0\nlon_deg = 0.0\nalt_km = 0.0\n'
                    'azimuth_limits_deg = [0.0, 90.0]\nsource = "test"\n')
    with pytest.raises(DataError, match=r"sites\.toml: sites\.x\.lat_deg = 95\.0: expected a number >= -90 and <= 90"):
        load_sites(path)
    assert np.isfinite(load_site("kourou-els").itrs_km).all()
