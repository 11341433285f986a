"""tax categories

A tax's EN 16931 VAT category (S by default: what every tax was until now) and exemption
reason, and the same frozen on the taxes an invoice applied, for its e-invoices.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPLIED = ("fee_applied_taxes", "invoice_applied_taxes")


def _columns(prefix: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}category", sa.String(length=2), nullable=False, server_default="S"),
        sa.Column(f"{prefix}exemption_reason", sa.String(length=1000), nullable=True),
        sa.Column(f"{prefix}exemption_reason_code", sa.String(length=40), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("taxes", schema=None) as batch_op:
        for column in _columns(""):
            batch_op.add_column(column)
    for table in _APPLIED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in _columns("tax_"):
                batch_op.add_column(column)


def downgrade() -> None:
    for table, prefix in (*((name, "tax_") for name in _APPLIED), ("taxes", "")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ("category", "exemption_reason", "exemption_reason_code"):
                batch_op.drop_column(prefix + name)
