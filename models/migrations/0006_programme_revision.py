"""Programme.revision (issue 19, item 1): raised by every programme load and roster change,
so each replica knows when the structure it keeps for the checklist (models/structure.py)
is out of date. Existing programmes start at 0; the default is the database's too, so a
table with rows takes the column.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("fremdrift", "0005_planned_round")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Programme",
            name="revision",
            field=fields.IntField(
                default=0, db_default=0, description='raised by every change to structure or roster'
            ),
        ),
    ]
