"""`fremdrift round link --programme P [--days N]`: a signed link to a programme's history.

The link opens the history pages `fremdrift serve` answers (bot/web/history.py): the
latest round's matrix, the other rounds, each cell's trend and revisions. It is signed
with `FREMDRIFT_HISTORY_SECRET` and written under `FREMDRIFT_PUBLIC_URL`; it works for
`--days` days and then gets 403. Whoever holds it can read the history until then, so it
goes where the steering group's documents go. The sentence comes from the catalogue
(render/messages/*/history.yaml); the URL is printed alone on the last line, for scripts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from bot.cli.common import console, fail, run_with_db, say
from bot.cli.round_export import round_app
from bot.settings import get_settings
from bot.web import history_links
from bot.web.history import programme_path
from bot.web.signing import PublicLinks
from conversations.clock import SystemClock
from conversations.errors import UserError
from service import rounds

DEFAULT_DAYS = 30
MOST_DAYS = 366


@round_app.command("link")
def link(
    programme: Annotated[str, typer.Option("--programme", help="The programme's key.")],
    days: Annotated[
        int, typer.Option("--days", help=f"How many days the link works (1-{MOST_DAYS}).")
    ] = DEFAULT_DAYS,
) -> None:
    """Print a signed link to the programme's history pages, valid for --days days."""
    if not 1 <= days <= MOST_DAYS:
        fail(UserError("history.days", days=days, most=MOST_DAYS))
    try:
        links: PublicLinks = history_links(get_settings())
    except UserError as error:
        fail(error)

    async def body() -> str:
        return (await rounds.find_programme(programme)).timezone

    timezone = run_with_db(body)
    expires = SystemClock().now().replace(microsecond=0) + timedelta(days=days)
    say("history.link", programme=programme, expires=expires, timezone=timezone)
    url = links.url(programme_path(programme), int(expires.timestamp()))
    console.print(url, markup=False, soft_wrap=True)
