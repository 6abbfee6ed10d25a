"""`fremdrift demo`: one whole KOL reporting round, played through the real app.

The app is the one `fremdrift serve` runs (bot.runtime.Fremdrift over HTTP), with its
Slack pointed at the in-process Slack stand-in from tests/slackstub; the database is a
fresh SQLite file in the output folder. Leads answer by clicks and modal submissions
taken from seed 000, the admin opens and closes the round by slash command, the job
worker sends the DMs and the publication, and what Slack received is written to the
folder. See `bot.demo.scenario` for the time line and `bot.demo.outputs` for the files.
"""
