from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.store.columns import UTCDateTime, new_id, utcnow


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_id"),
        UniqueConstraint("organization_id", "sequential_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False, index=True)
    )
    external_id: str = Field(max_length=255)
    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    currency: str | None = Field(default=None, max_length=3)
    timezone: str | None = Field(default=None, max_length=64)
    net_payment_term: int | None = Field(default=None)
    address_line1: str | None = Field(default=None, max_length=255)
    address_line2: str | None = Field(default=None, max_length=255)
    city: str | None = Field(default=None, max_length=255)
    zipcode: str | None = Field(default=None, max_length=32)
    state: str | None = Field(default=None, max_length=255)
    country: str | None = Field(default=None, max_length=2)
    tax_identification_number: str | None = Field(default=None, max_length=64)
    # What e-invoices identify it by beside its VAT number (models/inputs/identity.py).
    legal_registration_number: str | None = Field(default=None, max_length=64)
    peppol_id: str | None = Field(default=None, max_length=100)
    # The locale of its invoices' documents; None for its organization's.
    document_locale: str | None = Field(default=None, max_length=35)
    sequential_id: int
    invoice_seq: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
