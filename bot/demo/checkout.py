"""What only a source checkout has: the Slack stand-in (tests/slackstub) and seed 000.

An installed wheel carries bot/, models/, conversations/ and render/ only; the demo then
says in one line that it needs a checkout, instead of failing on an import.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from conversations.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Checkout:
    root: Path
    programme: Path  # programmes/kol-2018.yaml
    seed: Path  # tests/fixtures/seed000.csv: seed 000's 160 answers
    local_items: Path  # seed 001's answers to Syddanmark's own items


def source_checkout(root: Path = ROOT) -> Checkout:
    """The checkout the demo runs from, with its root put on sys.path for `tests.slackstub`."""
    checkout = Checkout(
        root=root,
        programme=root / "programmes" / "kol-2018.yaml",
        seed=root / "tests" / "fixtures" / "seed000.csv",
        local_items=Path(__file__).parent / "local_items.csv",
    )
    needed = (
        root / "tests" / "__init__.py",
        root / "tests" / "slackstub" / "__init__.py",
        checkout.programme,
        checkout.seed,
        checkout.local_items,
    )
    if not all(path.is_file() for path in needed):
        raise UserError("demo.needs_checkout", root=str(root))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return checkout
