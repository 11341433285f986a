"""fee periods and invoice metadata

A fee's period of service (both ends or neither, UTC instants), and the integrator's own
key/value strings on an invoice, returned wherever the invoice goes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.store import columns

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fees", schema=None) as batch_op:
        for name in ("from_datetime", "to_datetime"):
            batch_op.add_column(sa.Column(name, columns.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invoice_metadata", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("invoice_metadata")
    with op.batch_alter_table("fees", schema=None) as batch_op:
        batch_op.drop_column("to_datetime")
        batch_op.drop_column("from_datetime")
