"""Shared fixtures: paths to the shared corpus and the bundled examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The shared corpus and gold files sit beside the checkout; RASAD_SHARED points elsewhere.
SHARED = Path(os.environ.get("RASAD_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "gold" / "seeds.yaml"
EXAMPLES = ROOT / "examples" / "corpus"


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"shared seed corpus not present at {SEEDS}")
    return SEEDS


@pytest.fixture
def gold_file() -> Path:
    if not GOLD.is_file():
        pytest.skip(f"shared gold file not present at {GOLD}")
    return GOLD
