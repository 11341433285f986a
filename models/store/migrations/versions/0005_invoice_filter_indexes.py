"""invoice filter indexes

The filters a billing team uses every day, each served by an index that keeps the page's
order: by payment status (what is still to be paid, what failed, and overdue, which is
pending past its due date), by status (the voided ones), by a range of issuing dates. By
customer, the customer page index of 0003 already does.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_payment_status_page",
            ["organization_id", "payment_status", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_status_page",
            ["organization_id", "status", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_issuing_date", ["organization_id", "issuing_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_issuing_date")
        batch_op.drop_index("ix_invoices_status_page")
        batch_op.drop_index("ix_invoices_payment_status_page")
