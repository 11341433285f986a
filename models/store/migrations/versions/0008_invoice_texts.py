"""invoice texts

What an invoice prints beyond its lines: the customer's purchase order number and a note
given at issue, and the organization's footer (legal mentions), which every new invoice
copies then.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purchase_order_number", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(sa.Column("note", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("footer", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invoice_footer", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("invoice_footer")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("footer")
        batch_op.drop_column("note")
        batch_op.drop_column("purchase_order_number")
