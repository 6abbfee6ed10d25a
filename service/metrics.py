"""Prometheus metrics, served at /metrics (bot/server.py).

The metric objects live here. The checklist runner counts the answers stored, once
committed, whichever platform (or `fremdrift try`) sent them; the rest is counted where it
is seen: the Slack listeners (ack latency), the Web API clients (429s), the round's job
handlers (DMs, reminders, the publication), the job worker and its supervisor (outages,
restarts). The queue's gauges are read from the database when /metrics is scraped
(service/queue_figures.py). The dialogue and the renderers know nothing of metrics.

They are registered in prometheus_client's default registry, once per process; counters
only grow, so a test reads a value before and after what it does.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge, Histogram

DM_KINDS: Final = ("invite", "remind", "handover", "note", "plan_note")
"""The job kinds that send a DM (the publication posts to a channel); a plan_note is an
admin's DM about a planned round (service/planned_rounds.py)."""

ANSWERS_STORED: Final = Counter(
    "fremdrift_answers_stored",
    "Answers stored, from any platform (one per stored change of an answer).",
)
DMS_SENT: Final = Counter(
    "fremdrift_dms_sent",
    "DMs sent by the job workers, by job kind (a send found already done is not counted).",
    ["kind"],
)
DMS_FAILED: Final = Counter(
    "fremdrift_dms_failed",
    "DMs that failed for good (the admins are told), by job kind.",
    ["kind"],
)
REMINDERS_SENT: Final = Counter(
    "fremdrift_reminders_sent",
    "Reminders sent to people who had not submitted.",
)
PUBLICATIONS: Final = Counter(
    "fremdrift_publications",
    "Round publications posted to a steering channel, by outcome (posted, failed).",
    ["outcome"],
)
RATE_LIMITED: Final = Counter(
    "fremdrift_slack_rate_limited",
    "HTTP 429 answers received from Slack's Web API, by method.",
    ["method"],
)
ACK_SECONDS: Final = Histogram(
    "fremdrift_slack_ack_seconds",
    "Time from a Slack request's arrival to its acknowledgement, by request type.",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
)
WORKER_RESTARTS: Final = Counter(
    "fremdrift_worker_restarts",
    "Times the job worker's loop ended without being stopped and was started again.",
)
WORKER_OUTAGES: Final = Counter(
    "fremdrift_worker_database_outages",
    "Outages of the job queue's database as the worker saw them (one per outage, not per look).",
)
JOB_QUEUE_DEPTH: Final = Gauge(
    "fremdrift_job_queue_depth",
    "Jobs due now and not being run (pending and due, or running past their lease), at scrape.",
)
JOB_OLDEST_DUE_SECONDS: Final = Gauge(
    "fremdrift_job_oldest_due_seconds",
    "How long the oldest due job has waited past its run_at, at scrape (0 when none is due).",
)
