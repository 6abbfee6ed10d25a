"""What the demo plays: the shipped KOL programme, seed 000's answers and seed 001's own items.

Everything comes with the package (programmes/, bot/demo/*.csv), so the demo runs from an
installed wheel as from a checkout; the Slack stand-in it talks to is `standins.slack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from programmes import shipped_file

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoInputs:
    programme: Path  # programmes/kol-2018.yaml
    seed: Path  # bot/demo/seed000.csv: seed 000's 160 answers
    local_items: Path  # seed 001's answers to Syddanmark's own items


def demo_inputs() -> DemoInputs:
    """The files the demo reads, wherever Fremdrift is installed."""
    programme = shipped_file("kol-2018")
    assert programme is not None, "the KOL programme ships with the package"
    return DemoInputs(
        programme=programme, seed=HERE / "seed000.csv", local_items=HERE / "local_items.csv"
    )
