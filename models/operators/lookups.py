"""What an operator reads from the command line: organizations and their keys, by id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import col, select

from models.inputs.errors import ErrorCode, reject
from models.store.db import Database
from models.store.tables import ApiKey, Organization


@dataclass(frozen=True)
class OrganizationSummary:
    id: str
    name: str
    created_at: datetime
    live_keys: int


async def list_organizations(db: Database) -> list[OrganizationSummary]:
    """Every organization, oldest first, with how many of its keys are not revoked."""
    live_key = and_(
        col(ApiKey.organization_id) == Organization.id, col(ApiKey.revoked_at).is_(None)
    )
    async with db.read() as session:
        rows = await session.exec(
            select(
                Organization.id,
                Organization.name,
                Organization.created_at,
                func.count(col(ApiKey.id)),
            )
            .outerjoin(ApiKey, live_key)
            .group_by(col(Organization.id), col(Organization.name), col(Organization.created_at))
            .order_by(col(Organization.created_at), col(Organization.id))
        )
        return [OrganizationSummary(*row) for row in rows]


async def every_api_key(db: Database, organization_id: str) -> list[ApiKey]:
    """The organization's keys, revoked ones included, oldest first."""
    async with db.read() as session:
        if await session.get(Organization, organization_id) is None:
            raise reject(
                ErrorCode.NOT_FOUND,
                ("organizationId",),
                f"no organization with id {organization_id}",
            )
        return list(
            await session.exec(
                select(ApiKey)
                .where(ApiKey.organization_id == organization_id)
                .order_by(col(ApiKey.created_at), col(ApiKey.id))
            )
        )
