"""How much of each thing Fremdrift takes: one table for the chat, the import and files.

A remark is a remark whether it is typed into Slack, sent from a Teams card, imported from
a CSV or JSON file, or (a definition) written in a programme file: the same text, after the
same normalisation (`conversations.text`), measured in characters (code points after NFC)
against the same limit. The database's columns are at least this wide
(models/answer.py, models/round.py, models/programme.py), and the chat's inputs ask for no
more (Slack's `max_length`, Teams' `maxLength`).

docs/programme-format.md ("Limits") and docs/formats.md name these to the people who write
the files; tests/test_bad_input_files.py holds each one to a refusal.
"""

from __future__ import annotations

from typing import Final

# -- text, in characters ----------------------------------------------------------------
REMARK_LIMIT: Final = 3000
"""A remark: Slack's plain-text input holds at most 3,000 characters."""
FORECAST_LIMIT: Final = 200
"""A forecast as written ("Q3 2019", "når leverandøren er klar")."""
DEADLINE_LIMIT: Final = 200
"""A deadline as written: a milestone's in a programme file, a round's in a command."""
ROUND_NAME_LIMIT: Final = 200
"""A round's name, however it is opened (chat, CLI) or imported."""
COMMAND_LIMIT: Final = 500
"""A whole `/fremdrift` command line."""
KEY_LIMIT: Final = 64
"""A key: a programme's, a unit's, a person's."""
CODE_LIMIT: Final = 32
"""A milestone's or local item's code ("6.1 A", "ØA20.11")."""
GROUP_NUMBER_LIMIT: Final = 16
NAME_LIMIT: Final = 255
"""A person's, a unit's or a programme's name or title line."""
LINE_LIMIT: Final = 255
"""One line of a programme's prose (source, steering group)."""
LABEL_LIMIT: Final = 64
TITLE_LIMIT: Final = 2000
"""A milestone's or group's title."""
PROSE_LIMIT: Final = 5000
"""A definition or subtitle."""

# -- sizes ------------------------------------------------------------------------------
CHECKLIST_ITEMS_LIMIT: Final = 100
"""Items in one checklist (the programme's milestones and a unit's own items). Slack shows
at most 50 blocks in a message: the review of 100 items, each line as long as it can be
(tests/test_nasty_text.py), fits in about 30, and its edit menu in one select (Slack's 100
options)."""
SLACK_BLOCKS_LIMIT: Final = 50
"""Slack's blocks per message, named in the refusal of a programme too large for it."""
FILE_BYTES_LIMIT: Final = 5 * 1024 * 1024
"""A programme file or an import file: 5 MB (the largest shipped programme is 17 kB)."""
NESTING_LIMIT: Final = 10
"""How deep a programme file's YAML may nest (the format itself needs 6)."""
PROBLEMS_SHOWN: Final = 20
"""An import's mistakes told one by one; the rest are counted."""
MOMENT_HORIZON_DAYS: Final = 731
"""A round's deadline or an absence: at most two years ahead."""
MOMENT_HORIZON_YEARS: Final = 2
"""The same horizon, as the refusal says it."""
