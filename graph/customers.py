"""Customers: queries, mutations and the Customer type."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.errors import UserError
from graph.mutations import Changing, outcome
from graph.scalars import CurrencyCode, currency_of
from graph.taxes import Tax
from graph.unset import given
from models.catalog import customers
from models.store import tables

if TYPE_CHECKING:
    from graph.invoices import Invoice


@strawberry.type(description="Someone the organization bills.")
class Customer:
    id: strawberry.ID = strawberry.field(description="Customer id.")
    external_id: str = strawberry.field(
        description="Your own id for the customer, unique in the organization."
    )
    sequential_id: int = strawberry.field(
        description="Position of the customer in the organization, from 1 (used in numbers)."
    )
    name: str | None = strawberry.field(description="Name.")
    email: str | None = strawberry.field(description="Billing email.")
    currency: CurrencyCode | None = strawberry.field(
        description="Currency of all the customer's invoices; set by the first invoice if null."
    )
    timezone: str | None = strawberry.field(
        description="IANA timezone for issuing dates; the organization's when null."
    )
    net_payment_term: int | None = strawberry.field(
        description="Days until payment is due; the organization's when null."
    )
    address_line1: str | None = strawberry.field(description="Billing address, first line.")
    address_line2: str | None = strawberry.field(description="Billing address, second line.")
    city: str | None = strawberry.field(description="City.")
    zipcode: str | None = strawberry.field(description="Postal code.")
    state: str | None = strawberry.field(description="State or region.")
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 country code.")
    tax_identification_number: str | None = strawberry.field(
        description="Tax identification number (a VAT number, say), printed on its invoices."
    )
    legal_registration_number: str | None = strawberry.field(
        description="Legal registration number (SIREN, company number), printed on documents "
        "and carried by e-invoices (EN 16931 BT-30)."
    )
    peppol_id: str | None = strawberry.field(
        description="Peppol participant identifier (scheme:identifier, e.g. 0208:0123456789), "
        "the electronic address of its e-invoices to it; its email when null."
    )
    document_locale: str | None = strawberry.field(
        description="BCP 47 locale of its invoice documents; the organization's when null."
    )
    created_at: datetime = strawberry.field(description="When the customer was created.")
    updated_at: datetime = strawberry.field(description="When the customer was last changed.")

    @strawberry.field(
        description="Taxes applied to this customer's fees when neither the fee "
        "nor the add-on names taxes."
    )
    async def taxes(self, info: Info) -> list[Tax]:
        rows = await info.context.loaders.of(customers.taxes_of_customers, list[tables.Tax]()).load(
            str(self.id)
        )
        return [Tax.of(row) for row in rows]

    @strawberry.field(description="The customer's invoices, newest first.")
    async def invoices(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Invoice, strawberry.lazy("graph.invoices")]]:
        from graph.invoice_queries import invoice_page

        return await invoice_page(info, first, after, str(self.id), load_parts=False)

    @classmethod
    def of(cls, row: tables.Customer) -> Customer:
        return cls(
            id=strawberry.ID(row.id),
            external_id=row.external_id,
            sequential_id=row.sequential_id,
            name=row.name,
            email=row.email,
            currency=currency_of(row.currency) if row.currency else None,
            timezone=row.timezone,
            net_payment_term=row.net_payment_term,
            address_line1=row.address_line1,
            address_line2=row.address_line2,
            city=row.city,
            zipcode=row.zipcode,
            state=row.state,
            country=row.country,
            tax_identification_number=row.tax_identification_number,
            legal_registration_number=row.legal_registration_number,
            peppol_id=row.peppol_id,
            document_locale=row.document_locale,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.input(description="Fields of a customer, shared by its Create and Update inputs.")
class CustomerChanges:
    external_id: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Your id for the customer; unique in the organization.",
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Name.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Billing email.")
    currency: CurrencyCode | None = strawberry.field(
        default=strawberry.UNSET,
        description="Currency of the customer's invoices; cannot change once invoiced.",
    )
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET, description="IANA timezone for issuing dates."
    )
    net_payment_term: int | None = strawberry.field(
        default=strawberry.UNSET, description="Days until payment is due, 0 to 3650."
    )
    address_line1: str | None = strawberry.field(
        default=strawberry.UNSET, description="Billing address, first line."
    )
    address_line2: str | None = strawberry.field(
        default=strawberry.UNSET, description="Billing address, second line."
    )
    city: str | None = strawberry.field(default=strawberry.UNSET, description="City.")
    zipcode: str | None = strawberry.field(default=strawberry.UNSET, description="Postal code.")
    state: str | None = strawberry.field(default=strawberry.UNSET, description="State or region.")
    country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166 alpha-2 country code."
    )
    tax_identification_number: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Tax identification number (a VAT number, say), up to 64 characters.",
    )
    legal_registration_number: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Legal registration number (SIREN, company number), up to 64 characters.",
    )
    peppol_id: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Peppol participant identifier: its scheme (4 digits, Peppol's EAS list) "
        "and identifier, as 0208:0123456789 (INVALID_VALUE otherwise).",
    )
    document_locale: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="BCP 47 locale of its invoice documents (en, fr, pt-BR…); null for the "
        "organization's.",
    )
    tax_codes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Codes of the customer's taxes ([] for none); an update replaces them.",
    )

    def to_fields(self) -> customers.CustomerFields:
        return given(
            customers.CustomerFields(
                # An update's explicit null reaches the core, which refuses it (REQUIRED).
                external_id=self.external_id,
                name=self.name,
                email=self.email,
                currency=self.currency,
                timezone=self.timezone,
                net_payment_term=self.net_payment_term,
                address_line1=self.address_line1,
                address_line2=self.address_line2,
                city=self.city,
                zipcode=self.zipcode,
                state=self.state,
                country=self.country,
                tax_identification_number=self.tax_identification_number,
                legal_registration_number=self.legal_registration_number,
                peppol_id=self.peppol_id,
                document_locale=self.document_locale,
                tax_codes=self.tax_codes,
            )
        )


@strawberry.input(description="A new customer.")
class CreateCustomerInput(CustomerChanges):
    external_id: str = strawberry.field(description="Your id for the customer; unique.")


@strawberry.input(description="Changes to a customer; omitted fields stay, null clears.")
class UpdateCustomerInput(Changing, CustomerChanges):
    id: strawberry.ID = strawberry.field(description="The customer to change.")


@strawberry.type(description="Result of createCustomer or updateCustomer.")
class CustomerPayload:
    customer: Customer | None = strawberry.field(default=None, description="Null on failure.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.Customer) -> CustomerPayload:
        return cls(customer=Customer.of(row))


@strawberry.type
class CustomerQuery:
    @strawberry.field(description="One customer, by id or by externalId.")
    async def customer(
        self, info: Info, id: strawberry.ID | None = None, external_id: str | None = None
    ) -> Customer | None:
        organization_id = info.context.organization_id
        async with info.context.db.read() as session:
            row = await customers.find_customer(
                session, organization_id, customer_id=id, external_id=external_id
            )
        return Customer.of(row) if row else None

    @strawberry.field(
        description="Customers, newest first; searchTerm matches name, externalId "
        "or email, case-insensitively."
    )
    async def customers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search_term: str | None = None,
    ) -> Connection[Customer]:
        return await paged(
            info,
            customers.list_customers,
            Customer.of,
            first=first,
            after=after,
            search_term=search_term,
        )


@strawberry.type
class CustomerMutation:
    @strawberry.mutation(description="Create a customer.")
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> CustomerPayload:
        context = info.context
        return await outcome(
            CustomerPayload,
            customers.create_customer(context.db, context.organization_id, input.to_fields()),
        )

    @strawberry.mutation(description="Change a customer.")
    async def update_customer(self, info: Info, input: UpdateCustomerInput) -> CustomerPayload:
        context = info.context
        return await outcome(
            CustomerPayload,
            customers.update_customer(
                context.db, context.organization_id, str(input.id), input.to_fields()
            ),
        )
