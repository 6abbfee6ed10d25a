"""The comparison of a round with the one before it, and its freezing at publication.

`store_comparison` / `load_comparison` keep the comparison in `Round.comparison`, so a
published round always shows the same changes even if the round before it is edited later.
"""

from __future__ import annotations

from models.round import Round, RoundStatus
from models.snapshot import load_snapshot, previous_round
from render.words import worded_matrix
from reporting.comparison import Comparison, compare


async def compile_comparison(round_id: int) -> Comparison:
    """The comparison of this round with the one before it, computed now from the answers."""

    round_ = await Round.get(id=round_id)
    current = await load_snapshot(round_id)
    before = await previous_round(round_.programme_id, round_id)
    previous = worded_matrix(await load_snapshot(before.id)) if before is not None else None
    return compare(worded_matrix(current), previous, current)


async def store_comparison(round_id: int) -> Comparison:
    """Compute the comparison and keep it in Round.comparison, for publication.

    Once the round is published, the stored comparison is final: calling this again (a
    retried publication) returns it unchanged, even if the previous round changed since.
    A round that is not published (closed, or reopened) gets it computed afresh.
    """
    round_ = await Round.get(id=round_id)
    if round_.status == RoundStatus.PUBLISHED and isinstance(round_.comparison, dict):
        return Comparison.from_dict(round_.comparison)
    comparison = await compile_comparison(round_id)
    await Round.filter(id=round_id).update(comparison=comparison.to_dict())
    return comparison


async def load_comparison(round_id: int) -> Comparison:
    """The stored comparison of a published round; computed afresh when none is stored."""
    stored = (await Round.filter(id=round_id).values_list("comparison", flat=True))[0]
    if isinstance(stored, dict):
        return Comparison.from_dict(stored)
    return await compile_comparison(round_id)
