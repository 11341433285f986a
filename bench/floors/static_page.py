"""Floor of the invoices page: the project's `invoices(first: 50)` shape from static objects.

Type and field names match the project's schema, so the bench sends both servers the same
document (bench/queries.py PAGE). Nothing is read from a database; resolvers are attributes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig

from bench.floors.common import health_route, serve
from bench.floors.page_types import (
    SCALARS,
    BigInt,
    CurrencyCode,
    Customer,
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
    InvoiceConnection,
    InvoiceEdge,
    InvoiceStatus,
    InvoiceType,
    PageInfo,
    PaymentStatus,
)


def _fee(n: int, units: str, unit: str, amount: int, tax: int) -> Fee:
    vat = FeeAppliedTax(
        tax_code="vat_20", tax_name="VAT 20%", tax_rate=Decimal(20), amount_cents=BigInt(tax)
    )
    return Fee(
        id=strawberry.ID(f"fee-{n}-{units}"),
        units=Decimal(units),
        unit_amount_cents=Decimal(unit),
        precise_amount_cents=Decimal(unit) * Decimal(units),
        amount_cents=BigInt(amount),
        taxes_amount_cents=BigInt(tax),
        total_amount_cents=BigInt(amount + tax),
        currency=CurrencyCode.EUR,
        description="Bench add-on",
        invoice_name="Add-on A",
        applied_taxes=[vat],
    )


def _invoice(n: int, customer: Customer) -> Invoice:
    created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    vat = InvoiceAppliedTax(
        tax_code="vat_20",
        tax_name="VAT 20%",
        tax_rate=Decimal(20),
        taxable_base_amount_cents=BigInt(3001),
        amount_cents=BigInt(600),
    )
    cents = {"fees": 3001, "taxes": 600, "total": 3601}
    return Invoice(
        id=strawberry.ID(f"00000000-0000-4000-8000-{n:012d}"),
        number=f"BEN-0001-{n:06d}",
        sequential_id=n,
        invoice_type=InvoiceType.ONE_OFF,
        status=InvoiceStatus.FINALIZED,
        payment_status=PaymentStatus.PENDING,
        currency=CurrencyCode.EUR,
        issuing_date=created.date(),
        payment_due_date=created.date(),
        net_payment_term=0,
        fees_amount_cents=BigInt(cents["fees"]),
        coupons_amount_cents=BigInt(0),
        prepaid_credit_amount_cents=BigInt(0),
        sub_total_excluding_taxes_amount_cents=BigInt(cents["fees"]),
        taxes_amount_cents=BigInt(cents["taxes"]),
        sub_total_including_taxes_amount_cents=BigInt(cents["total"]),
        total_amount_cents=BigInt(cents["total"]),
        created_at=created,
        customer=customer,
        fees=[_fee(n, "3", "1000", 3000, 600), _fee(n, "1", "0.5", 1, 0)],
        applied_taxes=[vat],
    )


CUSTOMER = Customer(
    id=strawberry.ID("cust-1"),
    external_id="c1",
    name="Bench customer",
    email="c1@bench.example",
    currency=CurrencyCode.EUR,
)
INVOICES = [_invoice(n, CUSTOMER) for n in range(100, 0, -1)]


@strawberry.type
class Query:
    @strawberry.field
    def invoices(self, first: int | None = None, after: str | None = None) -> InvoiceConnection:
        size = first or 20
        edges = [InvoiceEdge(cursor=f"c{i.sequential_id}", node=i) for i in INVOICES[:size]]
        info = PageInfo(
            has_next_page=size < len(INVOICES),
            has_previous_page=False,
            start_cursor=edges[0].cursor,
            end_cursor=edges[-1].cursor,
        )
        nodes = [edge.node for edge in edges]
        return InvoiceConnection(edges=edges, nodes=nodes, page_info=info, total_count=100)


schema = strawberry.Schema(query=Query, config=StrawberryConfig(scalar_map=SCALARS))
view: GraphQL[None, None] = GraphQL(schema)
app = Starlette(routes=[health_route(), Route("/graphql", view)])

if __name__ == "__main__":
    serve(app)
