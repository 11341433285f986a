"""invoice page indexes

A page of invoices is the organization's (or a customer's) newest first, after a cursor on
(created_at, id): with an index in that order, the page reads its rows from the index, in
order, and costs the same at a thousand invoices as at a million.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_organization_page", ["organization_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_invoices_customer_page", ["customer_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_customer_page")
        batch_op.drop_index("ix_invoices_organization_page")
