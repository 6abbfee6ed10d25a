"""Round.date: the meeting's (or reporting) day, which orders a programme's history.

Existing rounds get their deadline's day, else their opening's, in the programme's time
zone. The column is added nullable, filled, then made NOT NULL where the database can say
so in place (PostgreSQL). SQLite cannot: Tortoise would rebuild the table, and with
foreign keys on, dropping the old `round` table cascades to every answer, conversation and
job of it (and its unique (programme, name) index would be lost). There the column stays
nullable in the file and the model's save() fills it, as it does everywhere.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

DEFAULT_TIMEZONE = "Europe/Copenhagen"


def _moment(value: object) -> datetime | None:
    """A stored datetime as the driver returns it: datetime (asyncpg) or ISO text (SQLite)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def fill_dates(apps, schema_editor) -> None:
    client = schema_editor.client
    sqlite = schema_editor.DIALECT == "sqlite"
    _, rows = await client.execute_query(
        'SELECT r."id", r."deadline", r."opened_at", p."timezone" '
        'FROM "round" r JOIN "programme" p ON p."id" = r."programme_id"'
    )
    update = (
        'UPDATE "round" SET "date" = ? WHERE "id" = ?'
        if sqlite
        else 'UPDATE "round" SET "date" = $1 WHERE "id" = $2'
    )
    for row in rows:
        moment = _moment(row["deadline"]) or _moment(row["opened_at"])
        assert moment is not None, "opened_at is NOT NULL"
        day: date = moment.astimezone(ZoneInfo(row["timezone"] or DEFAULT_TIMEZONE)).date()
        await client.execute_query(update, [day.isoformat() if sqlite else day, row["id"]])


class AlterFieldInPlace(ops.AlterField):
    """AlterField where the database alters a column in place; on SQLite, the state only."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.DIALECT == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.DIALECT == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


DESCRIPTION = "the meeting or reporting day, which orders history"


class Migration(migrations.Migration):
    dependencies = [('fremdrift', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Round',
            name='date',
            field=fields.DateField(null=True, description=DESCRIPTION),
        ),
        ops.RunPython(fill_dates, ops.RunPython.noop),
        AlterFieldInPlace(
            model_name='Round',
            name='date',
            field=fields.DateField(description=DESCRIPTION),
        ),
    ]
