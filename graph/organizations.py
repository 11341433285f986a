"""The caller's organization, its settings and its API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.enums import DocumentNumbering
from graph.errors import UserError
from graph.mutations import outcome
from graph.taxes import Tax
from graph.unset import given
from models.catalog.taxes import default_taxes
from models.events.pages import latest_sequence
from models.events.reader import encode_event_cursor
from models.organizations import api_keys, organizations
from models.store import tables


@strawberry.type(description="The tenant the API key belongs to.")
class Organization:
    id: strawberry.ID = strawberry.field(description="Organization id.")
    name: str = strawberry.field(description="Organization name.")
    document_number_prefix: str = strawberry.field(
        description="Prefix of invoice numbers, 1 to 10 characters, upper-case."
    )
    document_numbering: DocumentNumbering = strawberry.field(
        description="Whether numbers run per customer or across the organization."
    )
    timezone: str = strawberry.field(
        description="IANA timezone for issuing dates of customers without one."
    )
    net_payment_term: int = strawberry.field(
        description="Days between issuing and due date for customers without their own term."
    )
    legal_name: str | None = strawberry.field(
        description="Name its invoice documents print as the seller; `name` when null."
    )
    email: str | None = strawberry.field(description="Billing contact printed on documents.")
    invoice_footer: str | None = strawberry.field(
        description="Legal mentions (late-payment penalties, say) every new invoice copies at "
        "issue; changing it never changes an invoice already issued."
    )
    address_line1: str | None = strawberry.field(description="Address, first line.")
    address_line2: str | None = strawberry.field(description="Address, second line.")
    city: str | None = strawberry.field(description="City.")
    zipcode: str | None = strawberry.field(description="Postal code.")
    state: str | None = strawberry.field(description="State or region.")
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 country code.")
    tax_identification_number: str | None = strawberry.field(
        description="Tax identification number (a VAT number, say), printed on documents."
    )
    legal_registration_number: str | None = strawberry.field(
        description="Legal registration number (SIREN, company number), printed on documents "
        "and carried by e-invoices (EN 16931 BT-30)."
    )
    peppol_id: str | None = strawberry.field(
        description="Peppol participant identifier (scheme:identifier, e.g. 0208:0123456789), "
        "the electronic address of its e-invoices; the email when null."
    )
    document_locale: str = strawberry.field(
        description="BCP 47 locale of invoice documents for customers without their own."
    )
    created_at: datetime = strawberry.field(description="When the organization was created.")

    @strawberry.field(
        description="Cursor of the newest event (of any type), or of the start when there is "
        "none: subscribe with after: it to receive every event from now on, including any "
        "committed while a connection drops before the first one arrives."
    )
    async def event_cursor(self, info: Info) -> str:
        async with info.context.db.read() as session:
            return encode_event_cursor(await latest_sequence(session, info.context.organization_id))

    @strawberry.field(description="Taxes applied when neither fee, add-on nor customer has any.")
    async def default_taxes(self, info: Info) -> list[Tax]:
        async with info.context.db.read() as session:
            return [Tax.of(row) for row in await default_taxes(session, str(self.id))]

    @strawberry.field(
        description="API keys of the organization, newest first (secrets are never shown "
        f"again); at most {api_keys.MAX_LIVE_API_KEYS} of them are live at once."
    )
    async def api_keys(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        revoked: Annotated[
            bool | None,
            strawberry.argument(
                description="false: only the live keys; true: only the revoked ones; omitted: both."
            ),
        ] = None,
    ) -> Connection[ApiKey]:
        # `paged` scopes to the caller's organization, which is the only one `organization`
        # ever returns.
        return await paged(
            info, api_keys.list_api_keys, ApiKey.of, first=first, after=after, revoked=revoked
        )

    @classmethod
    def of(cls, row: tables.Organization) -> Organization:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            document_number_prefix=row.document_number_prefix,
            document_numbering=DocumentNumbering(row.document_numbering),
            timezone=row.timezone,
            net_payment_term=row.net_payment_term,
            legal_name=row.legal_name,
            email=row.email,
            invoice_footer=row.invoice_footer,
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
        )


@strawberry.type(description="An API key; the secret itself was shown once, at creation.")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="Key id (also embedded in the key).")
    created_at: datetime = strawberry.field(description="When the key was issued.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")

    @classmethod
    def of(cls, row: tables.ApiKey) -> ApiKey:
        return cls(id=strawberry.ID(row.id), created_at=row.created_at, revoked_at=row.revoked_at)


@strawberry.input(description="Organization settings to change; omitted fields stay.")
class UpdateOrganizationInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Name.")
    document_number_prefix: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Prefix of invoice numbers, 1 to 10 characters (upper-cased).",
    )
    document_numbering: DocumentNumbering | None = strawberry.field(
        default=strawberry.UNSET, description="Numbering per customer or per organization."
    )
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET, description="IANA timezone for issuing dates."
    )
    net_payment_term: int | None = strawberry.field(
        default=strawberry.UNSET, description="Days until payment is due, 0 to 3650."
    )
    tax_codes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Codes of the default taxes; replaces the whole set ([] for none).",
    )
    legal_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Legal name printed on documents; null for name."
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Billing contact printed on documents."
    )
    invoice_footer: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Legal mentions every new invoice copies, up to 1,000 characters; null "
        "for none.",
    )
    address_line1: str | None = strawberry.field(
        default=strawberry.UNSET, description="Address, first line (up to 255 characters)."
    )
    address_line2: str | None = strawberry.field(
        default=strawberry.UNSET, description="Address, second line (up to 255 characters)."
    )
    city: str | None = strawberry.field(default=strawberry.UNSET, description="City.")
    zipcode: str | None = strawberry.field(
        default=strawberry.UNSET, description="Postal code, up to 32 characters."
    )
    state: str | None = strawberry.field(default=strawberry.UNSET, description="State or region.")
    country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166 alpha-2 country code (FR, US…)."
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
        description="BCP 47 locale of invoice documents (en, fr, pt-BR…); en at first.",
    )

    def to_fields(self) -> organizations.OrganizationPatch:
        return given(
            organizations.OrganizationPatch(
                name=self.name,
                document_number_prefix=self.document_number_prefix,
                document_numbering=self.document_numbering,
                timezone=self.timezone,
                net_payment_term=self.net_payment_term,
                tax_codes=self.tax_codes,
                legal_name=self.legal_name,
                email=self.email,
                invoice_footer=self.invoice_footer,
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
            )
        )


@strawberry.type(description="Result of updateOrganization.")
class OrganizationPayload:
    organization: Organization | None = strawberry.field(
        default=None, description="Null on failure."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.Organization) -> OrganizationPayload:
        return cls(organization=Organization.of(row))


@strawberry.type(description="Result of createApiKey: the key is shown here once.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The new key's record.")
    key: str | None = strawberry.field(default=None, description="The key itself; store it now.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, issued: api_keys.IssuedKey) -> CreateApiKeyPayload:
        return cls(api_key=ApiKey.of(issued.api_key), key=issued.plain)


@strawberry.type(description="Result of revokeApiKey.")
class ApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The revoked key.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.ApiKey) -> ApiKeyPayload:
        return cls(api_key=ApiKey.of(row))


@strawberry.type
class OrganizationQuery:
    @strawberry.field(description="The organization of the API key.")
    async def organization(self, info: Info) -> Organization:
        organization_id = info.context.organization_id
        async with info.context.db.read() as session:
            return Organization.of(await organizations.get_organization(session, organization_id))


@strawberry.type
class OrganizationMutation:
    @strawberry.mutation(description="Change the organization's settings.")
    async def update_organization(
        self, info: Info, input: UpdateOrganizationInput
    ) -> OrganizationPayload:
        context = info.context
        return await outcome(
            OrganizationPayload,
            organizations.update_organization(
                context.db, context.organization_id, input.to_fields()
            ),
        )

    @strawberry.mutation(
        description="Issue another API key (for rotation). An organization has at most "
        f"{api_keys.MAX_LIVE_API_KEYS} live keys: past that, LIMIT_REACHED until one "
        "is revoked."
    )
    async def create_api_key(self, info: Info) -> CreateApiKeyPayload:
        context = info.context
        return await outcome(
            CreateApiKeyPayload,
            api_keys.create_api_key(context.db, context.organization_id),
        )

    @strawberry.mutation(description="Revoke an API key at once; the last live key cannot be.")
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        context = info.context
        return await outcome(
            ApiKeyPayload,
            api_keys.revoke_api_key(context.db, context.organization_id, str(id)),
        )
