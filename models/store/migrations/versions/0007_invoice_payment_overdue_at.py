"""invoice payment overdue at

When an unpaid invoice turns overdue: the start of the day after its due date, in the
timezone its dates are counted in, kept at issue so that "overdue" means the same to the
database and to the invoice's own calendar. Invoices issued before stay null and are judged
on the UTC date.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.store import columns

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payment_overdue_at", columns.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("payment_overdue_at")
