"""After a run: what the leads were shown as done, against what the database holds.

Expected comes from the leads' ledgers (``benchmarks._leads``): only clicks the app drew
afterwards (a redraw follows the commit). The database is read once, after every app
process has stopped. "Lost" counts answers and revisions expected but not stored;
"doubled" counts answers and revisions stored beyond what was expected; "wrong" counts
answers whose stored values differ from the last ones chosen. A lead that gave up (its
click not acked and not drawn in time) leaves one click whose fate it never saw: either
outcome is consistent, and it is counted as "unconfirmed", stored or not. "Shown to users"
counts what a lead saw besides the checklist itself: ephemeral notes (refusals such as
"this question has moved on" or "busy") and extra DMs; clicks Slack would have shown as
failed (not acked in 3 s) are counted apart, as "unacked".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from benchmarks._leads import Driver, Expected, Lead, applied
from standins.slack import SlackStub


@dataclass
class Audit:
    answers_expected: int = 0
    answers_stored: int = 0
    revisions_expected: int = 0
    revisions_stored: int = 0
    submissions_expected: int = 0
    submissions_stored: int = 0
    lost: int = 0
    doubled: int = 0
    wrong: int = 0
    revision_column_mismatch: int = 0
    shown_to_users: int = 0
    unacked: int = 0
    lead_failures: int = 0
    app_log_lines: int = 0
    unconfirmed_stored: int = 0
    unconfirmed_not_stored: int = 0
    failure_kinds: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.lost
            or self.doubled
            or self.wrong
            or self.shown_to_users
            or self.unacked
            or self.lead_failures
            or self.revision_column_mismatch
            or self.submissions_expected != self.submissions_stored
        )

    def line(self) -> str:
        return (
            f"audit: answers {self.answers_stored}/{self.answers_expected} stored, revisions "
            f"{self.revisions_stored}/{self.revisions_expected}, submissions "
            f"{self.submissions_stored}/{self.submissions_expected}; lost {self.lost}, "
            f"doubled {self.doubled}, wrong {self.wrong}, shown to users {self.shown_to_users}, "
            f"unacked {self.unacked}, leads failed {self.lead_failures} (their last clicks: "
            f"{self.unconfirmed_stored} stored, {self.unconfirmed_not_stored} not), app "
            f"warnings {self.app_log_lines} — " + ("clean" if self.clean else "NOT CLEAN")
        )


async def audit_database(round_id: int, leads: list[Lead]) -> Audit:
    """Compare the ledgers with the answers, revisions and submissions stored."""
    from models.answer import Answer, AnswerRevision
    from models.round import Submission

    expected = {(lead.unit, code): e for lead in leads for code, e in lead.ledger.items()}
    maybe: dict[tuple[str, str], Expected] = {}
    maybe_submitted: set[str] = set()
    for lead in leads:
        if lead.unconfirmed is None:
            continue
        code, action = lead.unconfirmed
        if action == "fd:submit:":
            maybe_submitted.add(f"unit:{lead.unit}")
        elif action.split(":")[1] in ("progress", "delay", "critical"):
            maybe[(lead.unit, code)] = applied(lead.ledger.get(code), action)
    rows = await Answer.filter(round_id=round_id).values(
        "id", "scope", "milestone__code", "progress", "delay", "critical", "revision"
    )
    stored = {(str(r["scope"]), str(r["milestone__code"])): r for r in rows}
    revision_ids = await AnswerRevision.filter(answer__round_id=round_id).values_list(
        "answer_id", flat=True
    )
    revisions = Counter(revision_ids)
    scopes = await Submission.filter(round_id=round_id).values_list("scope", flat=True)
    submitted = {str(scope) for scope in scopes}

    result = Audit(answers_stored=len(stored), revisions_stored=sum(revisions.values()))
    for key, alternative in maybe.items():
        row = stored.get(key)
        if row is not None and _matches(row, revisions[row["id"]], alternative):
            result.unconfirmed_stored += 1
            expected[key] = alternative
        else:
            result.unconfirmed_not_stored += 1
    result.answers_expected = len(expected)
    result.revisions_expected = sum(e.revisions for e in expected.values())
    result.submissions_expected = sum(1 for lead in leads if lead.submitted)
    result.submissions_stored = len(submitted)
    for scope in maybe_submitted:
        if scope in submitted:
            result.unconfirmed_stored += 1
            result.submissions_expected += 1
        else:
            result.unconfirmed_not_stored += 1
    for key, want in expected.items():
        row = stored.get(key)
        if row is None:
            result.lost += 1 + want.revisions
            result.examples.append(f"lost: {key}")
            continue
        count = revisions[row["id"]]
        result.lost += max(0, want.revisions - count)
        result.doubled += max(0, count - want.revisions)
        if int(row["revision"]) != count:
            result.revision_column_mismatch += 1
        got = (str(row["progress"]), str(row["delay"]), bool(row["critical"]))
        if got != (want.progress, want.delay, want.critical):
            result.wrong += 1
            result.examples.append(f"wrong: {key} stored {got}, chosen {want}")
    for key, row in stored.items():
        if key not in expected:
            result.doubled += 1 + revisions[row["id"]]
            result.examples.append(f"unexpected answer: {key}")
    return result


def _matches(row: dict[str, object], revisions: int, want: Expected) -> bool:
    got = (str(row["progress"]), str(row["delay"]), bool(row["critical"]))
    return got == (want.progress, want.delay, want.critical) and revisions == want.revisions


def shown_to_users(slack: SlackStub, leads: list[Lead], audit: Audit) -> None:
    """Count ephemerals and extra DMs the leads got, beside their checklist message."""
    users = {lead.user_id: lead for lead in leads}
    notes = [e for e in slack.workspace.ephemerals if e.user in users]
    texts = Counter(e.text[:80] for e in notes)
    extra = 0
    for lead in leads:
        for message in slack.dm(lead.user_id):
            if message is not lead.message:
                extra += 1
                texts[f"DM: {message.text[:70]}"] += 1
    audit.shown_to_users = len(notes) + extra
    audit.examples += [f"shown {n}×: {text}" for text, n in texts.most_common(3)]


def count_driver(driver: Driver, audit: Audit) -> None:
    audit.unacked += driver.unacked
    audit.lead_failures += len(driver.failures)
    audit.failure_kinds.update(driver.failure_kinds)
    audit.examples += [f"lead failed: {why}" for why in driver.failures[:2]]
