"""The route map: distinct colours for a county fleet, labels that fit, a CJK font or a clean fallback."""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mc
import pytest
from test_explain import sample_plan

from coldchain.output import map as route_map
from coldchain.output.palette import PALETTE, truck_colour
from coldchain.scenario.read import read_scenario


@pytest.mark.unit
def test_thirty_trucks_get_thirty_distinct_colours_none_grey():
    """Trucks 0-29 get 30 different colours, and none is a grey (greys are unvisited points)."""
    colours = [truck_colour(n) for n in range(30)]
    assert len(set(colours)) == 30 and len(PALETTE) >= 30
    for c in colours:
        r, g, b = mc.to_rgb(c)
        assert max(r, g, b) - min(r, g, b) > 0.08, c


@pytest.mark.unit
def test_county_map_labels_towns_not_villages(sample_dir):
    """inputs/county-peak: 189 points > 40, so only the hub and the 19 towns are labelled, towns by
    their town's name (灵城街道服务点 -> 灵城街道); the 12-site sample labels its 7 villages too."""
    county = read_scenario(sample_dir / "county-peak")
    labels = route_map.map_labels(county, "Noto Sans CJK SC")
    assert [s.kind for s, _ in labels].count("town") == 19 and {s.kind for s, _ in labels} == {"hub", "town"}
    assert labels[0][0].kind == "hub" and ("灵城街道" in {t for _, t in labels})
    assert sum(s.kind == "village" for s, _ in route_map.map_labels(read_scenario(sample_dir), "x")) == 7


@pytest.mark.unit
def test_without_a_cjk_font_labels_are_ids_and_one_note_says_why(sample_dir, monkeypatch):
    """No CJK font: 佛子镇服务点 is labelled T_FOZI (never boxes) and the note names fonts-noto-cjk."""
    labels = dict((s.site_id, t) for s, t in route_map.map_labels(read_scenario(sample_dir), None))
    assert labels["T_FOZI"] == "T_FOZI" and labels["HUB"] == "HUB"
    monkeypatch.setattr(route_map, "cjk_font", lambda: None)
    note = route_map.cjk_font_note()
    assert note.startswith("Note: ") and "fonts-noto-cjk" in note and "\n" not in note


@pytest.mark.unit
def test_the_installed_cjk_font_is_found():
    """CI installs Debian's fonts-noto-cjk (.ci/run): the map must find Noto Sans CJK SC, also when
    matplotlib's cached font list predates the install."""
    if not Path("/usr/share/fonts/opentype/noto").is_dir():
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk")
    assert route_map.cjk_font() == "Noto Sans CJK SC"


@pytest.mark.unit
def test_sample_map_is_written(sample_dir, tmp_path):
    """A PNG is written atomically (no temporary file left) for the sample's plan."""
    out = route_map.draw_map(sample_plan(sample_dir), tmp_path / "routes.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and [p.name for p in tmp_path.iterdir()] == ["routes.png"]
