"""The declarative model data in ``models/``: product freshness, objective weights, presets.

The folder sits at the top of the repository (data, no Python); an installed wheel carries a
copy as ``coldchain/_models``. ``COLDCHAIN_MODELS`` points elsewhere for experiments.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from coldchain.errors import ColdchainError
from coldchain.scenario.domain import ObjectiveWeights, Product, TravelSettings


def models_dir() -> Path:
    """Where the model data lives: ``$COLDCHAIN_MODELS``, the repo's ``models/`` or the wheel's."""
    env = os.environ.get("COLDCHAIN_MODELS")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent
    candidates += [here.parent.parent / "models", here.parent / "_models"]
    for path in candidates:
        if (path / "products.toml").is_file():
            return path
    raise ColdchainError("cannot find the models/ folder with products.toml")


@cache
def _load(name: str) -> dict:
    path = models_dir() / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ColdchainError(f"models/{name}: cannot read it: {exc}") from None


def default_products() -> dict[str, Product]:
    """The product freshness models shipped in ``models/products.toml``, by product id."""
    out = {}
    for pid, spec in _load("products.toml").items():
        fields = {k: v for k, v in spec.items() if k != "sources"}
        out[pid] = Product(product_id=pid, **fields)
    return out


def default_weights() -> ObjectiveWeights:
    """Objective weights from ``models/objective.toml``."""
    return ObjectiveWeights(**_load("objective.toml").get("weights", {}))


def default_travel() -> TravelSettings:
    """The road model from ``models/travel.toml``."""
    return TravelSettings(**_load("travel.toml"))


def solver_presets() -> dict[str, dict]:
    """Named solver presets from ``models/solver.toml``."""
    return dict(_load("solver.toml"))
