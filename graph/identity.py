"""The address and tax identification an organization and a customer both carry, as GraphQL
fields and as inputs: declared once, inherited by both."""

from __future__ import annotations

from typing import Any

import strawberry

from models.inputs.identity import IdentityFields


@strawberry.type(description="An address and a tax identification number.")
class Identity:
    address_line1: str | None = strawberry.field(description="Address, first line.")
    address_line2: str | None = strawberry.field(description="Address, second line.")
    city: str | None = strawberry.field(description="City.")
    zipcode: str | None = strawberry.field(description="Postal code.")
    state: str | None = strawberry.field(description="State or region.")
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 country code.")
    tax_identification_number: str | None = strawberry.field(
        description="Tax identification number (a VAT number, say), printed on invoices."
    )


def identity_of(row: Any) -> dict[str, Any]:
    """The Identity fields of a row that has them, as keyword arguments."""
    return {name: getattr(row, name) for name in IDENTITY_NAMES}


IDENTITY_NAMES = (
    "address_line1",
    "address_line2",
    "city",
    "zipcode",
    "state",
    "country",
    "tax_identification_number",
)


@strawberry.input(description="Changes to an address and a tax identification number.")
class IdentityChanges:
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
    document_locale: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="BCP 47 locale of invoice documents (en, fr, pt-BR…).",
    )

    def identity_fields(self) -> IdentityFields:
        """What was given, UNSET included (the caller's `given` drops it)."""
        return IdentityFields(
            address_line1=self.address_line1,
            address_line2=self.address_line2,
            city=self.city,
            zipcode=self.zipcode,
            state=self.state,
            country=self.country,
            tax_identification_number=self.tax_identification_number,
            document_locale=self.document_locale,
        )
