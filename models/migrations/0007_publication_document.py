"""publication_document (issue 19, item 2): a published round's documents, rendered once
and kept with it (models/publication.py).
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("fremdrift", "0006_programme_revision")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PublicationDocument",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "round",
                    fields.ForeignKeyField(
                        "fremdrift.Round",
                        source_field="round_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="documents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharField(
                        description="matrix, sheets, xlsx, csv or json", max_length=16
                    ),
                ),
                ("filename", fields.CharField(max_length=255)),
                ("title", fields.CharField(default="", max_length=255)),
                ("mimetype", fields.CharField(max_length=128)),
                ("content", fields.BinaryField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "publication_document",
                "app": "fremdrift",
                "unique_together": (("round", "kind"),),
                "pk_attr": "id",
                "table_description": "a published round's document",
            },
            bases=["Model"],
        ),
    ]
