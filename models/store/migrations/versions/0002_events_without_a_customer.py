"""events without a customer

An event about an organization-level object concerns no customer.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("customer_id", existing_type=sa.String(length=36), nullable=True)


def downgrade() -> None:
    # Fails, and changes nothing, while an event without a customer exists: an older oneoff
    # has no way to show one.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("customer_id", existing_type=sa.String(length=36), nullable=False)
