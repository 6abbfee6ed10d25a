"""A published round's documents, rendered once and kept with it.

The documents (matrix PDF, sheets, workbook, CSV, JSON) of a 100 × 300 round take minutes
to render; a published round never changes, so they are rendered once, by whoever publishes
it first (service/publication.py), and stored here in one transaction, all or none. Every
later reader — Slack's and Teams' messengers on a retry, Teams' document links, `round
export` — serves these bytes, on any replica, after any restart.

In the database rather than a file store: a publication is a few megabytes written once,
replicas then need no shared volume, `db backup` and `pg_dump` carry it, and it goes with
its round when the round is deleted.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.round import Round


class PublicationDocument(Model):
    """One document of a published round, as its steering group was given it."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "fremdrift.Round", related_name="documents", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16, description="matrix, sheets, xlsx, csv or json")
    filename = fields.CharField(max_length=255)
    title = fields.CharField(max_length=255, default="")
    mimetype = fields.CharField(max_length=128)
    content = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    round_id: int

    class Meta:
        table = "publication_document"
        table_description = "a published round's document"
        unique_together = (("round", "kind"),)
