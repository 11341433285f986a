"""legal identities and invoice documents

An organization gets the legal identity its invoices print (legal name, email, address, tax
identification number, document locale); a customer, its tax identification number and an
optional document locale. An invoice keeps, from its issue, the seller and buyer as they
were then (parties); its document, once rendered, is kept as bytes. The server keeps the
secrets it makes for itself (the document links' key, when none is configured).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.store import columns

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORGANIZATION_TEXT = (
    ("legal_name", 255),
    ("email", 255),
    ("address_line1", 255),
    ("address_line2", 255),
    ("city", 255),
    ("zipcode", 32),
    ("state", 255),
    ("country", 2),
    ("tax_identification_number", 64),
)


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        for name, length in _ORGANIZATION_TEXT:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(
            sa.Column("document_locale", sa.String(length=35), nullable=False, server_default="en")
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tax_identification_number", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("document_locale", sa.String(length=35), nullable=True))
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parties", sa.JSON(), nullable=True))
    op.create_table(
        "invoice_documents",
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_documents_invoice_id_invoices"),
        ),
        sa.PrimaryKeyConstraint("invoice_id", "variant", name=op.f("pk_invoice_documents")),
    )
    op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("created_at", columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )


def downgrade() -> None:
    op.drop_table("instance_secrets")
    op.drop_table("invoice_documents")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("parties")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("document_locale")
        batch_op.drop_column("tax_identification_number")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("document_locale")
        for name, _ in reversed(_ORGANIZATION_TEXT):
            batch_op.drop_column(name)
