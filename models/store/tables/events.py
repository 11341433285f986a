from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.store.columns import UTCDateTime, utcnow


class Event(SQLModel, table=True):
    """The outbox: written in the same transaction as what it announces."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("organization_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: str = Field(
        sa_column=Column(String(36), ForeignKey("organizations.id"), nullable=False)
    )
    # Per-organization, gapless and in commit order: the subscription cursor.
    sequence: int
    webhook_type: str = Field(max_length=64)  # an EventType's name (models/events/types.py)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=36)
    # The customer the event concerns; none for an organization-level object.
    customer_id: str | None = Field(
        default=None,
        sa_column=Column(String(36), ForeignKey("customers.id"), nullable=True, index=True),
    )
    payload: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
