from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from models.billing.statuses import DocumentNumbering
from models.store.columns import UTCDateTime, new_id, utcnow


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=255)
    document_number_prefix: str = Field(max_length=10)
    document_numbering: str = Field(default=DocumentNumbering.PER_CUSTOMER, max_length=32)
    timezone: str = Field(default="UTC", max_length=64)
    net_payment_term: int = Field(default=0)
    # Who issues its invoices, as their documents print it (models/inputs/identity.py).
    legal_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
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
    # Legal mentions (late-payment penalties, say) every new invoice copies at issue.
    invoice_footer: str | None = Field(default=None, max_length=1000)
    document_locale: str = Field(
        default="en", max_length=35, sa_column_kwargs={"server_default": "en"}
    )
    # Counters bumped inside the invoice transaction: the row lock makes numbers gapless.
    customer_seq: int = Field(default=0)
    invoice_seq: int = Field(default=0)
    event_seq: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False, index=True)
    )
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InstanceSecret(SQLModel, table=True):
    """A secret the server made for itself, shared by every process on the database (the
    document links' key, when none is configured)."""

    __tablename__ = "instance_secrets"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
