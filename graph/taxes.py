"""Taxes: rates an organization applies to customers, add-ons, or everything by default."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.enums import VatCategory
from graph.errors import UserError
from graph.mutations import Changing, outcome
from graph.unset import given
from models.catalog import taxes
from models.store import tables


@strawberry.type(
    description="A tax rate that can be attached to customers, add-ons or the "
    "organization (as a default)."
)
class Tax:
    id: strawberry.ID = strawberry.field(description="Tax id.")
    code: str = strawberry.field(description="Unique code within the organization.")
    name: str = strawberry.field(description="Name printed on invoices.")
    rate: Decimal = strawberry.field(description="Rate in percent, 0 to 100, up to 4 decimals.")
    description: str | None = strawberry.field(description="Free text.")
    applied_to_organization: bool = strawberry.field(
        description="A default tax: applied when neither the fee, the add-on nor the customer "
        "names taxes."
    )
    category: VatCategory = strawberry.field(
        description="Its VAT category in EN 16931 (S unless set), declared by e-invoices."
    )
    exemption_reason: str | None = strawberry.field(
        description="Why the tax exempts (categories E, AE, K, G, O), as printed in e-invoices."
    )
    exemption_reason_code: str | None = strawberry.field(
        description="The same as a code of the VATEX list (e.g. VATEX-EU-AE)."
    )
    created_at: datetime = strawberry.field(description="When the tax was created.")
    updated_at: datetime = strawberry.field(description="When the tax was last changed.")

    @classmethod
    def of(cls, row: tables.Tax) -> Tax:
        return cls(
            id=strawberry.ID(row.id),
            code=row.code,
            name=row.name,
            rate=row.rate,
            description=row.description,
            applied_to_organization=row.applied_to_organization,
            category=VatCategory(row.category),
            exemption_reason=row.exemption_reason,
            exemption_reason_code=row.exemption_reason_code,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.input(description="Fields of a tax, shared by its Create and Update inputs.")
class TaxChanges:
    code: str | None = strawberry.field(
        default=strawberry.UNSET, description="Unique code within the organization."
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Name printed on invoices."
    )
    rate: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Rate in percent, 0 to 100, up to 4 decimals; issued invoices keep theirs.",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, up to 1000 characters."
    )
    applied_to_organization: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether it is a default tax of the organization."
    )
    category: VatCategory | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its VAT category (S when omitted at creation; null sets it back to S). "
        "E, AE, K, G and O take a rate of 0 and an exemption reason; the others take none "
        "(INVALID_VALUE, REQUIRED on the field at fault). Issued invoices keep theirs.",
    )
    exemption_reason: str | None = strawberry.field(
        default=strawberry.UNSET, description="Why the tax exempts, up to 1000 characters."
    )
    exemption_reason_code: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Why the tax exempts, as a code of the VATEX list (VATEX-EU-AE, "
        "VATEX-EU-IC, VATEX-EU-G, VATEX-EU-O, VATEX-EU-79-C, …).",
    )

    def to_fields(self) -> taxes.TaxFields:
        return given(
            taxes.TaxFields(
                code=self.code,
                name=self.name,
                rate=self.rate,
                description=self.description,
                applied_to_organization=self.applied_to_organization,
                category=self.category,
                exemption_reason=self.exemption_reason,
                exemption_reason_code=self.exemption_reason_code,
            )
        )


@strawberry.input(description="A new tax rate.")
class CreateTaxInput(TaxChanges):
    code: str = strawberry.field(description="Unique code within the organization.")
    name: str = strawberry.field(description="Name printed on invoices.")
    rate: Decimal = strawberry.field(description="Rate in percent, 0 to 100, up to 4 decimals.")


@strawberry.input(description="Changes to a tax; omitted fields stay, null clears.")
class UpdateTaxInput(Changing, TaxChanges):
    id: strawberry.ID = strawberry.field(description="The tax to change.")


@strawberry.type(description="Result of createTax or updateTax.")
class TaxPayload:
    tax: Tax | None = strawberry.field(default=None, description="Null on failure.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.Tax) -> TaxPayload:
        return cls(tax=Tax.of(row))


@strawberry.type
class TaxQuery:
    @strawberry.field(description="One tax, by id or by code.")
    async def tax(
        self, info: Info, id: strawberry.ID | None = None, code: str | None = None
    ) -> Tax | None:
        organization_id = info.context.organization_id
        async with info.context.db.read() as session:
            row = await taxes.find_tax(session, organization_id, tax_id=id, code=code)
        return Tax.of(row) if row else None

    @strawberry.field(description="The organization's taxes, newest first.")
    async def taxes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Tax]:
        return await paged(info, taxes.list_taxes, Tax.of, first=first, after=after)


@strawberry.type
class TaxMutation:
    @strawberry.mutation(description="Create a tax rate.")
    async def create_tax(self, info: Info, input: CreateTaxInput) -> TaxPayload:
        context = info.context
        return await outcome(
            TaxPayload,
            taxes.create_tax(context.db, context.organization_id, input.to_fields()),
        )

    @strawberry.mutation(description="Change a tax rate; invoices already issued keep theirs.")
    async def update_tax(self, info: Info, input: UpdateTaxInput) -> TaxPayload:
        context = info.context
        return await outcome(
            TaxPayload,
            taxes.update_tax(context.db, context.organization_id, str(input.id), input.to_fields()),
        )
