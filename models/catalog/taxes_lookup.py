"""Resolving tax codes given in input to the organization's taxes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.inputs.errors import ErrorCode, InputError, Path
from models.store.tables import Tax


async def taxes_by_code(
    session: AsyncSession, organization_id: str, codes: Sequence[str], field: Path
) -> tuple[list[Tax], list[InputError]]:
    """The taxes in the order given, duplicates dropped; one TAX_NOT_FOUND per unknown code."""
    wanted = list(dict.fromkeys(codes))
    found = {
        tax.code: tax
        for tax in await session.exec(
            select(Tax).where(Tax.organization_id == organization_id, col(Tax.code).in_(wanted))
        )
    }
    errors = [
        InputError(ErrorCode.TAX_NOT_FOUND, (*field, str(index)), f"no tax with code {code!r}")
        for index, code in enumerate(codes)
        if code not in found
    ]
    return [found[code] for code in wanted if code in found], errors
