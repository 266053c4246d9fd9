"""One colour per truck that stays distinct for 30+ trucks (the PNG, the HTML map and the GeoJSON).

Matplotlib's ``tab20`` and ``tab20b`` (Vega's categorical palettes), reordered so that the first
colours are the most different (the strong shades of both before their light ones), without
the greys (the map draws unvisited points in grey): 38 colours. Truck ``n`` gets colour
``n mod 38``; beyond 38 trucks the map also changes the line style.
"""

from __future__ import annotations

PALETTE: tuple[str, ...] = (
    # tab20 strong shades (= tab10 without grey)
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
    # tab20b darkest and middle shades
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#6b6ecf", "#b5cf6b", "#e7ba52", "#d6616b", "#ce6dbd",
    # tab20 light shades
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
    # tab20b remaining shades
    "#5254a3", "#8ca252", "#bd9e39", "#ad494a", "#a55194", "#9c9ede", "#cedb9c", "#e7cb94", "#e7969c", "#de9ed6",
)  # fmt: skip


def truck_colour(n: int) -> str:
    """The colour of the ``n``-th used truck (0-based)."""
    return PALETTE[n % len(PALETTE)]
