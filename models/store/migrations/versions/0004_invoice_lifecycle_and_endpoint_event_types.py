"""invoice lifecycle and endpoint event types

An issued invoice can now be paid, fail to be paid, or be voided: when each last happened is
kept beside the status it set. A webhook endpoint may name the event types it receives;
NULL, as every endpoint has until then, means all of them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.store import columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_status_updated_at", columns.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("voided_at", columns.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_types", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_column("event_types")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("voided_at")
        batch_op.drop_column("payment_status_updated_at")
