"""The airglow's colours and brightness against the CIE's tables and the measured night sky."""
from __future__ import annotations

import numpy as np
import pytest

from orbitview.datafile import Table
from orbitview.errors import DataError
from orbitview.render.airlight import (DAY_BAND_NM, DAY_RADIANCE_W_M2_SR, LIGHT_SPEED_M_S, PLANCK_J_S,
                                       SHELL_TOP_KM, AirglowLayer, airglow_layers, shell_table)
from orbitview.render.colour import LUMINANCE, XYZ_TO_SRGB, chromaticity, mean_y_bar

# The CIE 1931 spectral locus (chromaticity of the CIE's 1 nm tables, CIE 018:2019) at 557, 558
# and 589 nm; 557.7 nm is interpolated between its neighbours.
LOCUS_557 = (0.35166, 0.64517)
LOCUS_558 = (0.35881, 0.63829)
LOCUS_589 = (0.56926, 0.43010)
D65_XY = (0.3127, 0.3290)                  # IEC 61966-2-1's white
# Luminous efficacy of radiation at 555 nm (SI definition of the candela, 683 lm/W) and the solar
# illuminance outside the atmosphere, 133.8 klx (Darula, Kittler & Gueymard 2005, Solar Energy 79, 559).
KM_LM_PER_W = 683.0
SOLAR_ILLUMINANCE_LX = 133_800.0
# The dark night sky at the zenith, V = 21.9 mag/arcsec^2 (Benn & Ellison 1998, La Palma, all
# sources); the airglow is its largest part (Leinert et al. 1998, sec. 3): at least 40 %, so
# fainter than the whole sky by no more than 1 mag.
DARK_SKY_V_MAG_ARCSEC2 = 21.9
SUN_V = -26.74                              # Allen, Astrophysical Quantities, 3rd ed., sec. 78


def _layer(prefix: str) -> AirglowLayer:
    return next(layer for layer in airglow_layers() if layer.name.startswith(prefix))


def _hue_deg(xy) -> float:
    return float(np.degrees(np.arctan2(xy[1] - D65_XY[1], xy[0] - D65_XY[0])))


@pytest.mark.parametrize("prefix, locus", [
    ("O(1S)", tuple(np.add(LOCUS_557, 0.7 * np.subtract(LOCUS_558, LOCUS_557)))),
    ("Na D", LOCUS_589),
])
def test_a_line_layer_has_the_colour_of_the_spectral_locus(prefix, locus):
    """Before gamut mapping the colour is the locus's (within 0.005 in x and y); after it, the sRGB
    colour has no negative channel, the same luminance, and the same hue from the white point."""
    layer = _layer(prefix)
    xyz = layer.xyz()
    np.testing.assert_allclose(chromaticity(xyz), locus, atol=5e-3)
    rgb = layer.rgb()
    unmapped = XYZ_TO_SRGB @ xyz / (DAY_RADIANCE_W_M2_SR * mean_y_bar(*DAY_BAND_NM))
    assert unmapped.min() < 0.0 <= rgb.min()              # a spectral colour is outside sRGB
    assert LUMINANCE @ rgb == pytest.approx(LUMINANCE @ unmapped, rel=1e-9)
    mapped_xy = chromaticity(np.linalg.inv(XYZ_TO_SRGB) @ rgb)
    assert _hue_deg(mapped_xy) == pytest.approx(_hue_deg(locus), abs=0.5)


def test_sodium_is_orange_and_the_green_line_green():
    """Na D at 589 nm: red with a quarter as much green, no blue (the old hand-set colour had 0.62
    green: yellow); O(1S): green with a little red, no blue; the F-region red line: red."""
    r, g, b = _layer("Na D").rgb() / _layer("Na D").rgb().max()
    assert r == 1.0 and 0.15 < g < 0.35 and b == 0.0
    r, g, b = _layer("O(1S)").rgb() / _layer("O(1S)").rgb().max()
    assert g == 1.0 and 0.2 < r < 0.4 and b == 0.0
    r, g, b = _layer("O(1D)").rgb()
    assert r > 10.0 * max(g, b)


def test_the_day_unit_carries_the_suns_luminance():
    """Spread flat over 400-700 nm, the day unit's luminous weight (mean y-bar) gives sunlight
    outside the air within 5 % of the published 133.8 klx; a 557.7 nm photon carries 3.56e-19 J."""
    illuminance = KM_LM_PER_W * mean_y_bar(*DAY_BAND_NM) * DAY_RADIANCE_W_M2_SR * np.pi
    assert illuminance == pytest.approx(SOLAR_ILLUMINANCE_LX, rel=0.05)
    assert PLANCK_J_S * LIGHT_SPEED_M_S / 557.7e-9 == pytest.approx(3.56e-19, rel=2e-3)


def test_the_zenith_airglow_is_most_of_the_dark_sky():
    """All layers' zenith luminance as a V surface brightness: fainter than the whole dark sky,
    brighter than 1 mag below it. The day unit is the Sun's irradiance over pi per steradian."""
    y = sum(float(LUMINANCE @ layer.rgb()) for layer in airglow_layers())
    arcsec2_sr = (np.pi / 180.0 / 3600.0) ** 2
    v_mag_arcsec2 = SUN_V - 2.5 * np.log10(y / np.pi * arcsec2_sr)
    assert DARK_SKY_V_MAG_ARCSEC2 < v_mag_arcsec2 < DARK_SKY_V_MAG_ARCSEC2 + 1.0


def test_the_shells_hold_every_layer_and_the_red_line_glows_at_250_km():
    """Every layer lies within the shells (4 sigma) and the shells below the ISS (~400 km); the
    limb at 250 km tangent height is red (O 630 nm), at 96 km green-gold."""
    assert all(layer.peak_km + 4.0 * layer.sigma_km <= SHELL_TOP_KM for layer in airglow_layers())
    assert SHELL_TOP_KM < 400.0
    table = shell_table()

    def glow(h_km: float) -> np.ndarray:
        return table.columns[int(round((h_km - table.h_min_km) / table.step_km)), 2:5]

    r, g, b = glow(250.0)
    assert r > 10.0 * max(g, b) > 0.0
    r, g, b = glow(96.0)
    assert g > b and r > b and g > 0.5 * r
    assert glow(96.0).sum() > 3.0 * glow(250.0).sum()


def test_a_layer_reaching_above_the_shells_is_refused():
    layer = {"name": "too high", "peak_km": 300.0, "sigma_km": 30.0, "zenith_rayleigh": 10.0, "spectrum": "lines",
             "wavelengths_nm": [630.0], "shares": [1.0], "source": "test"}
    with pytest.raises(DataError, match="sigma_km"):
        AirglowLayer.from_table(Table(layer, None, "layer[0]."))
    with pytest.raises(DataError, match="wavelengths_nm"):
        AirglowLayer.from_table(Table({**layer, "sigma_km": 5.0, "spectrum": "continuum"}, None, "layer[0]."))
