"""Candidate sets for capacity cuts (coldchain.core.cutsets) on a four-stop flow worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from coldchain.core.cutsets import components, flow_matrix, grown, support_components, trucks_needed


def _flows() -> np.ndarray:
    """Stops 1-4: 1->2 and 2->1 carry 0.5 each (w12 = 1.0), 3->4 carries 0.3, 2->3 carries 0.1;
    hub arcs (0->1, 4->0) do not count."""
    i, j, x = [1, 2, 3, 2, 0, 4], [2, 1, 4, 3, 1, 0], [0.5, 0.5, 0.3, 0.1, 1.0, 1.0]
    return flow_matrix(4, i, j, x)


@pytest.mark.unit
def test_flow_matrix_adds_both_directions_and_leaves_the_hub_out():
    w = _flows()
    assert w[1, 2] == w[2, 1] == pytest.approx(1.0)
    assert w[3, 4] == pytest.approx(0.3) and w[2, 3] == pytest.approx(0.1)
    assert not w[0].any() and not w[:, 0].any()
    one_way = flow_matrix(4, [3], [4], [0.3], symmetric=False)
    assert one_way[3, 4] == pytest.approx(0.3) and one_way[4, 3] == 0.0


@pytest.mark.unit
def test_support_components_at_two_thresholds():
    """Above 0.2 the edges 1-2 (1.0) and 3-4 (0.3) remain: {1, 2}, {3, 4}; above 0 the 0.1 edge
    joins them: {1, 2, 3, 4}. A stop without an edge is a set of its own."""
    w = _flows()
    assert support_components(w, 0.2) == [[1, 2], [3, 4]]
    assert support_components(w, 0.0) == [[1, 2, 3, 4]]
    assert components(3, [(1, 2)]) == [[1, 2], [3]]


@pytest.mark.unit
def test_sets_grow_along_the_heaviest_connection():
    """From stop 1: stop 2 (connection 1.0), then 3 (0.1 to the set {1, 2}), then 4 (0.3 to
    {1, 2, 3}); with at most 3 stops the last step is not taken."""
    w = _flows()
    steps = [(list(m), j, g) for m, j, g in grown(w, 1)]
    assert [s[0] for s in steps] == [[1, 2], [1, 2, 3], [1, 2, 3, 4]]
    assert [s[2] for s in steps] == pytest.approx([1.0, 0.1, 0.3])
    assert [list(m) for m, _, _ in grown(w, 1, max_size=3)] == [[1, 2], [1, 2, 3]]


@pytest.mark.unit
def test_trucks_needed_rounds_up_but_ignores_rounding_noise():
    assert trucks_needed(1001.0, 500.0) == 3
    assert trucks_needed(1000.0 + 1e-7, 500.0) == 2
    assert trucks_needed(0.0, 500.0) == 0
