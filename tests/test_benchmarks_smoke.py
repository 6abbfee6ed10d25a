"""The Slack benchmarks still run, end to end, at a tiny size, and their audits add up.

No timing is asserted: the benchmarks print figures; this only proves they work and that
what they count is right — every acknowledged click's answer stored once, none lost.
Runs on the suite's database: SQLite, or PostgreSQL when DATABASE_URL says so.
"""

from __future__ import annotations

import os

import pytest

from benchmarks import bench_click_latency, bench_load
from benchmarks._audit import Audit
from models.db import is_postgres


def _postgres() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if is_postgres(url) else ""


def assert_clean(audit: Audit | None) -> None:
    assert audit is not None
    assert audit.answers_expected > 0
    assert audit.answers_stored == audit.answers_expected
    assert audit.revisions_stored == audit.revisions_expected
    assert (audit.lost, audit.doubled, audit.wrong) == (0, 0, 0), audit.examples
    assert audit.submissions_stored == audit.submissions_expected
    assert audit.shown_to_users == 0, audit.examples
    assert audit.clean, audit.examples


async def test_the_click_latency_benchmark_measures_and_audits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--levels", "1,2", "--clicks", "8", "--milestones", "3", "--phase-seconds", "30"]
    # a small round published while 16 leads click, and the same leads before it
    args += ["--publication", "2x3", "--paced-seconds", "3", "--publication-seconds", "120"]
    postgres = _postgres()
    args += ["--postgres", postgres] + (["--no-sqlite"] if postgres else [])
    results = await bench_click_latency.main_async(bench_click_latency.parse_args(args))

    assert len(results) == 1
    rows = results[0].rows
    assert {(row.app, row.leads) for row in rows} == {
        (app, leads)
        for app in (
            "bare bolt, ack only",
            "bare bolt, 1-button msg",
            "bolt + 1 committed row",
            "fremdrift",
        )
        for leads in (1, 2)
    } | {("fremdrift, reading", 16), ("fremdrift, publishing", 16)}
    paced = [row for row in rows if row.leads == 16]
    assert all(row.latency.count == 8 for row in rows if row not in paced)
    assert all(row.latency.count > 0 for row in paced)
    assert all(row.latency.unacked == 0 for row in rows)
    assert_clean(results[0].audit)
    assert results[0].queries["SELECT"] > 0
    assert results[0].publication_seconds is not None, "the publication was compiled"
    assert sum(results[0].steps.values()) > 0 and sum(results[0].by_step.values()) > 0
    out = capsys.readouterr().out
    assert "p99 real/bare" in out and "CPU real/commit" in out
    assert "per answering click" in out and "publication compiled in" in out


async def test_the_load_benchmark_completes_every_checklist_and_audits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    postgres = _postgres()
    configs = "pg-http-2,pg-socket" if postgres else "sqlite-http,sqlite-socket"
    args = ["--leads", "2", "--milestones", "3", "--bare-clicks", "2", "--configs", configs]
    outcomes = await bench_load.main_async(
        bench_load.parse_args([*args, "--postgres", postgres, "--max-seconds", "60"])
    )

    assert [o.config for o in outcomes] == configs.split(",")
    for outcome in outcomes:
        assert outcome.complete == 2
        assert outcome.audit.submissions_stored == 3  # the two leads and the warm-up lead
        assert_clean(outcome.audit)
    assert "revisions exp/stored" in capsys.readouterr().out
