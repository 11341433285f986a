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
