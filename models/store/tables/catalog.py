from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.store.columns import ExactDecimal, UTCDateTime, new_id, utcnow


class Tax(SQLModel, table=True):
    __tablename__ = "taxes"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False, index=True)
    )
    code: str = Field(max_length=255)
    name: str = Field(max_length=255)
    rate: Decimal = Field(sa_type=ExactDecimal)
    description: str | None = Field(default=None, max_length=1000)
    applied_to_organization: bool = Field(default=False)
    # EN 16931's VAT category (models/billing/vat_categories.py), and why a tax exempts.
    category: str = Field(default="S", max_length=2, sa_column_kwargs={"server_default": "S"})
    exemption_reason: str | None = Field(default=None, max_length=1000)
    exemption_reason_code: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AddOn(SQLModel, table=True):
    __tablename__ = "add_ons"
    __table_args__ = (
        # Codes are unique among live add-ons only: a deleted code can be used again.
        Index(
            "uq_add_ons_live_code",
            "organization_id",
            "code",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False, index=True)
    )
    code: str = Field(max_length=255)
    name: str = Field(max_length=255)
    invoice_display_name: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, max_length=1000)
    amount_cents: int = Field(sa_type=BigInteger)
    amount_currency: str = Field(max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CustomerTax(SQLModel, table=True):
    __tablename__ = "customer_taxes"

    customer_id: str = Field(
        sa_column=Column(String(36), ForeignKey("customers.id"), primary_key=True)
    )
    tax_id: str = Field(sa_column=Column(String(36), ForeignKey("taxes.id"), primary_key=True))


class AddOnTax(SQLModel, table=True):
    __tablename__ = "add_on_taxes"

    add_on_id: str = Field(sa_column=Column(String(36), ForeignKey("add_ons.id"), primary_key=True))
    tax_id: str = Field(sa_column=Column(String(36), ForeignKey("taxes.id"), primary_key=True))
