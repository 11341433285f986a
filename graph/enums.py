"""The core's enums as GraphQL enums: each mapped once, here, with what every value means.

The GraphQL type is the core class itself, so a field annotated with it takes the core's
members (or the plain strings a column holds) and an argument arrives as a core member.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

from models.billing.statuses import DocumentNumbering, InvoiceStatus, InvoiceType, PaymentStatus
from models.billing.vat_categories import DESCRIPTIONS, VatCategory
from models.einvoices.problems import ProblemCode
from models.store.tables.webhooks import DeliveryStatus

__all__ = [
    "DeliveryStatus",
    "DocumentNumbering",
    "InvoiceStatus",
    "InvoiceType",
    "PaymentStatus",
    "ProblemCode",
    "VatCategory",
    "graphql_enum",
]

E = TypeVar("E", bound=Enum)


def graphql_enum(
    core: type[E], *, name: str | None = None, description: str, values: Mapping[E, str]
) -> type[E]:
    """Make `core` a GraphQL enum (named `name`, else as the class) whose every value is
    described by `values`; returns `core` itself."""
    missing = [member.name for member in core if member not in values]
    if missing:
        raise ValueError(f"{core.__name__}: no description for {', '.join(missing)}")
    wrapped = strawberry.enum(core, name=name, description=description)
    if not has_enum_definition(wrapped):
        raise TypeError(f"{core.__name__} did not become a GraphQL enum")
    # strawberry.enum reads value descriptions only off strawberry.enum_value() members,
    # which a core enum has no business holding: they are filled in on its definition.
    for value in wrapped.__strawberry_definition__.values:
        value.description = values[core[value.name]]
    return core


graphql_enum(
    VatCategory,
    name="TaxCategory",
    description="A tax's VAT category, as EN 16931 names it (UNCL 5305 codes): what its "
    "e-invoices declare. E, AE, K, G and O take a rate of 0 and an exemption reason; S, Z, L "
    "and M take none.",
    values={category: f"{category.value}: {DESCRIPTIONS[category]}." for category in VatCategory},
)
graphql_enum(
    ProblemCode,
    name="EInvoiceProblemCode",
    description="Why an invoice has no EN 16931 e-invoice (its PDF is issued without XML).",
    values={
        ProblemCode.INVOICE_VOIDED: "Voided: a voided invoice is not issued as an e-invoice.",
        ProblemCode.CURRENCY_DECIMALS: "Its currency has more decimals than EN 16931 amounts "
        "carry (2): KWD, BHD, JOD, OMR, TND, … Amounts are never rounded to fit.",
        ProblemCode.SELLER_LEGAL_NAME_MISSING: "The organization had no legalName at issue.",
        ProblemCode.SELLER_ADDRESS_MISSING: "The organization had no addressLine1, city or "
        "country at issue.",
        ProblemCode.SELLER_COUNTRY_INVALID: "The organization's country is not an ISO 3166-1 "
        "code EN 16931 knows (XK, AC, IC, …).",
        ProblemCode.SELLER_PEPPOL_ID_INVALID: "The organization's peppolId names a scheme "
        "outside the EAS code list.",
        ProblemCode.BUYER_NAME_MISSING: "The customer's name holds no text an e-invoice can "
        "carry (control characters only).",
        ProblemCode.BUYER_COUNTRY_INVALID: "The customer's country is not an ISO 3166-1 code "
        "EN 16931 knows.",
        ProblemCode.BUYER_PEPPOL_ID_INVALID: "The customer's peppolId names a scheme outside "
        "the EAS code list.",
        ProblemCode.FEE_NAME_MISSING: "A fee's name holds no text an e-invoice can carry.",
        ProblemCode.EXEMPTION_REASON_MISSING: "An exempting tax's reason holds no text an "
        "e-invoice can carry, and it has no code.",
        ProblemCode.SELLER_VAT_ID_MISSING: "The organization had no taxIdentificationNumber "
        "(its VAT identifier) at issue.",
        ProblemCode.SELLER_VAT_ID_INVALID: "The organization's VAT identifier does not start "
        "with a country code (FR…, DE…, EL… for Greece).",
        ProblemCode.SELLER_REGISTRATION_MISSING: "Outside the scope of VAT (O): such an "
        "invoice names no VAT identifier, so the seller is identified by its "
        "legalRegistrationNumber, which the organization did not have at issue.",
        ProblemCode.BUYER_COUNTRY_MISSING: "The customer had no country at issue.",
        ProblemCode.BUYER_VAT_ID_MISSING: "Reverse charge (AE) or intra-community supply (K) "
        "without the customer's VAT identifier.",
        ProblemCode.BUYER_VAT_ID_INVALID: "Reverse charge (AE) or intra-community supply (K) "
        "with a customer's tax number that does not start with a country code (elsewhere "
        "such a number, a US EIN say, is left out of the e-invoice).",
        ProblemCode.FEE_WITHOUT_TAX: "A fee has no tax, so no VAT category: give it one "
        "(a Z, E or O tax, say).",
        ProblemCode.FEE_WITH_SEVERAL_TAXES: "A fee has several taxes; an e-invoice line has "
        "one VAT category and rate.",
        ProblemCode.STANDARD_RATE_ZERO: "A tax of category S (or L) has a rate of 0: set its "
        "category (Z, E, O, …).",
        ProblemCode.TAXES_SHARE_CATEGORY_AND_RATE: "Two taxes of the invoice have the same "
        "category and rate; an e-invoice sums tax by category and rate, which could differ "
        "by a cent from the invoice's.",
        ProblemCode.OUTSIDE_SCOPE_MIXED: "A tax of category O beside other categories.",
        ProblemCode.PERIOD_MISSING: "Intra-community supply (K) needs every fee's period "
        "(fromDatetime, toDatetime).",
    },
)
graphql_enum(
    InvoiceType,
    description="Kind of invoice.",
    values={InvoiceType.ONE_OFF: "Add-ons billed at once."},
)
graphql_enum(
    InvoiceStatus,
    description="Lifecycle status; one-off invoices are finalized when created.",
    values={
        InvoiceStatus.FINALIZED: "Issued: its number, lines and amounts no longer change.",
        InvoiceStatus.VOIDED: "Cancelled by voidInvoice: nothing is owed; it keeps its number "
        "and amounts, so the numbering has no gap.",
    },
)
graphql_enum(
    PaymentStatus,
    description="Whether the invoice has been paid.",
    values={
        PaymentStatus.PENDING: "Awaiting payment.",
        PaymentStatus.SUCCEEDED: "Paid (or nothing to pay).",
        PaymentStatus.FAILED: "Payment failed.",
    },
)
graphql_enum(
    DocumentNumbering,
    description="How invoice numbers are sequenced.",
    values={
        DocumentNumbering.PER_CUSTOMER: "{PREFIX}-{customer sequentialId}-{customer's invoice seq}",
        DocumentNumbering.PER_ORGANIZATION: "{PREFIX}-{YYYYMM}-{organization's invoice seq}",
    },
)
graphql_enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="Where a delivery stands.",
    values={
        DeliveryStatus.PENDING: "Not delivered yet: due now, being sent, or waiting to be retried.",
        DeliveryStatus.SUCCEEDED: "The endpoint answered an attempt with a 2xx status.",
        DeliveryStatus.FAILED: "Every scheduled attempt failed; nothing more is sent unless "
        "retryWebhookDelivery is called.",
    },
)
