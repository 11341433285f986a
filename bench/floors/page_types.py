"""The GraphQL types of the static page floor, named and shaped as the project's schema names
and shapes them (graph/invoices.py, graph/scalars.py), BigInt and Decimal serialized as strings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)
SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(name="BigInt", serialize=str, parse_value=int),
    Decimal: strawberry.scalar(
        name="Decimal", serialize=lambda value: format(value, "f"), parse_value=Decimal
    ),
}


@strawberry.enum
class CurrencyCode(enum.Enum):
    EUR = "EUR"


@strawberry.enum
class InvoiceType(enum.Enum):
    ONE_OFF = "ONE_OFF"


@strawberry.enum
class InvoiceStatus(enum.Enum):
    FINALIZED = "FINALIZED"


@strawberry.enum
class PaymentStatus(enum.Enum):
    PENDING = "PENDING"


@strawberry.type
class Customer:
    id: strawberry.ID
    external_id: str
    name: str | None
    email: str | None
    currency: CurrencyCode | None


@strawberry.type
class FeeAppliedTax:
    tax_code: str
    tax_name: str
    tax_rate: Decimal
    amount_cents: BigInt


@strawberry.type
class InvoiceAppliedTax:
    tax_code: str
    tax_name: str
    tax_rate: Decimal
    taxable_base_amount_cents: BigInt
    amount_cents: BigInt


@strawberry.type
class Fee:
    id: strawberry.ID
    units: Decimal
    unit_amount_cents: Decimal
    precise_amount_cents: Decimal
    amount_cents: BigInt
    taxes_amount_cents: BigInt
    total_amount_cents: BigInt
    currency: CurrencyCode
    description: str | None
    invoice_name: str
    applied_taxes: list[FeeAppliedTax]


@strawberry.type
class Invoice:
    id: strawberry.ID
    number: str
    sequential_id: int
    invoice_type: InvoiceType
    status: InvoiceStatus
    payment_status: PaymentStatus
    currency: CurrencyCode
    issuing_date: date
    payment_due_date: date
    net_payment_term: int
    fees_amount_cents: BigInt
    coupons_amount_cents: BigInt
    prepaid_credit_amount_cents: BigInt
    sub_total_excluding_taxes_amount_cents: BigInt
    taxes_amount_cents: BigInt
    sub_total_including_taxes_amount_cents: BigInt
    total_amount_cents: BigInt
    created_at: datetime
    customer: Customer
    fees: list[Fee]
    applied_taxes: list[InvoiceAppliedTax]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class InvoiceEdge:
    cursor: str
    node: Invoice


@strawberry.type
class InvoiceConnection:
    edges: list[InvoiceEdge]
    nodes: list[Invoice]
    page_info: PageInfo
    total_count: int
