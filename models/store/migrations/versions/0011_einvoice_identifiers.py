"""e-invoice identifiers

An organization's and a customer's legal registration number (SIREN, company number: BT-30,
BT-47) and Peppol participant identifier (BT-34, BT-49), which e-invoices carry.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("organizations", "customers")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("legal_registration_number", sa.String(length=64), nullable=True)
            )
            batch_op.add_column(sa.Column("peppol_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("peppol_id")
            batch_op.drop_column("legal_registration_number")
