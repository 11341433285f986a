"""Add-ons: queries, mutations and the AddOn type."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.errors import UserError
from graph.mutations import Changing, outcome
from graph.scalars import BigInt, CurrencyCode, currency_of
from graph.taxes import Tax
from graph.unset import given
from models.catalog import add_ons
from models.store import tables


@strawberry.type(description="Something the organization bills once, with a default price.")
class AddOn:
    id: strawberry.ID = strawberry.field(description="Add-on id.")
    code: str = strawberry.field(description="Unique code among the organization's live add-ons.")
    name: str = strawberry.field(description="Name.")
    invoice_display_name: str | None = strawberry.field(
        description="Name printed on invoices instead of `name`."
    )
    description: str | None = strawberry.field(
        description="Default description of the fees that bill it."
    )
    amount_cents: BigInt = strawberry.field(
        description="Default unit price, in minor units of `amountCurrency`."
    )
    amount_currency: CurrencyCode = strawberry.field(description="Currency of `amountCents`.")
    created_at: datetime = strawberry.field(description="When the add-on was created.")
    updated_at: datetime = strawberry.field(description="When the add-on was last changed.")
    deleted_at: datetime | None = strawberry.field(
        description="When the add-on was deleted; it cannot be billed any more, past invoices "
        "still show it."
    )

    @strawberry.field(
        description="Taxes applied to its fees when the fee names none; the "
        "customer's or the organization's apply when this is empty."
    )
    async def taxes(self, info: Info) -> list[Tax]:
        loader = info.context.loaders.of(add_ons.taxes_of_add_ons, list[tables.Tax]())
        rows = await loader.load(str(self.id))
        return [Tax.of(row) for row in rows]

    @classmethod
    def of(cls, row: tables.AddOn) -> AddOn:
        return cls(
            id=strawberry.ID(row.id),
            code=row.code,
            name=row.name,
            invoice_display_name=row.invoice_display_name,
            description=row.description,
            amount_cents=BigInt(row.amount_cents),
            amount_currency=currency_of(row.amount_currency),
            created_at=row.created_at,
            updated_at=row.updated_at,
            deleted_at=row.deleted_at,
        )


@strawberry.input(description="Fields of an add-on, shared by its Create and Update inputs.")
class AddOnChanges:
    code: str | None = strawberry.field(
        default=strawberry.UNSET, description="Unique code among live add-ons."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Name.")
    invoice_display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Name printed on invoices instead of `name`."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Default fee description, up to 1000 characters."
    )
    amount_cents: BigInt | None = strawberry.field(
        default=strawberry.UNSET, description="Default unit price in minor units, 0 to 2^63-1."
    )
    amount_currency: CurrencyCode | None = strawberry.field(
        default=strawberry.UNSET, description="Currency of `amountCents`."
    )
    tax_codes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Codes of the add-on's taxes ([] for none); an update replaces them.",
    )

    def to_fields(self) -> add_ons.AddOnFields:
        return given(
            add_ons.AddOnFields(
                code=self.code,
                name=self.name,
                invoice_display_name=self.invoice_display_name,
                description=self.description,
                amount_cents=self.amount_cents,
                amount_currency=self.amount_currency,
                tax_codes=self.tax_codes,
            )
        )


@strawberry.input(description="A new add-on.")
class CreateAddOnInput(AddOnChanges):
    code: str = strawberry.field(description="Unique code among live add-ons.")
    name: str = strawberry.field(description="Name.")
    amount_cents: BigInt = strawberry.field(
        description="Default unit price in minor units, 0 to 2^63-1."
    )
    amount_currency: CurrencyCode = strawberry.field(description="Currency of `amountCents`.")


@strawberry.input(description="Changes to an add-on; omitted fields stay, null clears.")
class UpdateAddOnInput(Changing, AddOnChanges):
    id: strawberry.ID = strawberry.field(description="The add-on to change.")


@strawberry.type(description="Result of createAddOn, updateAddOn or deleteAddOn.")
class AddOnPayload:
    add_on: AddOn | None = strawberry.field(default=None, description="Null on failure.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.AddOn) -> AddOnPayload:
        return cls(add_on=AddOn.of(row))


@strawberry.type
class AddOnQuery:
    @strawberry.field(description="One live add-on, by id or by code.")
    async def add_on(
        self, info: Info, id: strawberry.ID | None = None, code: str | None = None
    ) -> AddOn | None:
        organization_id = info.context.organization_id
        async with info.context.db.read() as session:
            row = await add_ons.find_add_on(session, organization_id, add_on_id=id, code=code)
        return AddOn.of(row) if row else None

    @strawberry.field(
        description="Live add-ons, newest first; searchTerm matches name or code, "
        "case-insensitively."
    )
    async def add_ons(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search_term: str | None = None,
    ) -> Connection[AddOn]:
        return await paged(
            info, add_ons.list_add_ons, AddOn.of, first=first, after=after, search_term=search_term
        )


@strawberry.type
class AddOnMutation:
    @strawberry.mutation(description="Create an add-on.")
    async def create_add_on(self, info: Info, input: CreateAddOnInput) -> AddOnPayload:
        context = info.context
        return await outcome(
            AddOnPayload,
            add_ons.create_add_on(context.db, context.organization_id, input.to_fields()),
        )

    @strawberry.mutation(description="Change an add-on; invoices already issued keep their fees.")
    async def update_add_on(self, info: Info, input: UpdateAddOnInput) -> AddOnPayload:
        context = info.context
        return await outcome(
            AddOnPayload,
            add_ons.update_add_on(
                context.db, context.organization_id, str(input.id), input.to_fields()
            ),
        )

    @strawberry.mutation(
        description="Delete an add-on: it cannot be billed any more and its "
        "code is free again; past invoices still show it."
    )
    async def delete_add_on(self, info: Info, id: strawberry.ID) -> AddOnPayload:
        context = info.context
        return await outcome(
            AddOnPayload, add_ons.delete_add_on(context.db, context.organization_id, str(id))
        )
