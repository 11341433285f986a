from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.store.columns import UTCDateTime, new_id, utcnow


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False, index=True)
    )
    url: str = Field(max_length=2048)
    secret: str = Field(max_length=128)
    # The event types it receives (EVENT_TYPES names); None for all, now and to come.
    event_types: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False, index=True)
    )
    endpoint_id: str = Field(
        sa_column=Column(String(36), ForeignKey("webhook_endpoints.id"), nullable=False)
    )
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("events.id"), nullable=False))
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempt_count: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A claim: while it lies in the future, one sender owns the delivery.
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    __tablename__ = "webhook_attempts"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    delivery_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("webhook_deliveries.id"), nullable=False, index=True
        )
    )
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
