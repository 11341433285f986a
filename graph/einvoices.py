"""An invoice's e-invoices: whether it has them, where its UBL is, and why not."""

from __future__ import annotations

import strawberry

from graph.context import Info
from graph.enums import ProblemCode
from models.documents.issued import einvoice_problems
from models.einvoices.problems import Problem


@strawberry.type(description="One reason an invoice has no EN 16931 e-invoice.")
class EInvoiceProblem:
    code: ProblemCode = strawberry.field(description="What is missing or cannot be carried.")
    message: str = strawberry.field(description="The same in words, with the rule it breaks.")


@strawberry.type(
    description="The invoice as an EN 16931 e-invoice: Factur-X (its CII XML inside the PDF at "
    "fileUrl, EN 16931 profile) and UBL 2.1 (Peppol BIS Billing 3.0) at ublUrl. An invoice "
    "whose data EN 16931 cannot carry is issued all the same, as a PDF without XML, and "
    "problems says why."
)
class EInvoice:
    invoice_id: strawberry.Private[str]
    problems: list[EInvoiceProblem] = strawberry.field(
        description="Why there is no e-invoice; [] when there is."
    )

    @strawberry.field(description="Whether the invoice has its e-invoices (problems is []).")
    def available(self) -> bool:
        return not self.problems

    @strawberry.field(
        description="Its UBL XML: a signed link like fileUrl; null without an e-invoice."
    )
    async def ubl_url(self, info: Info) -> str | None:
        from graph.documents import document_link

        if self.problems:
            return None
        return await document_link(info, self.invoice_id, ubl=True)

    @classmethod
    async def load(cls, info: Info, invoice_id: str) -> EInvoice:
        problems: list[Problem] = await info.context.loaders.of(
            einvoice_problems, list[Problem]()
        ).load(invoice_id)
        return cls(
            invoice_id=invoice_id,
            problems=[EInvoiceProblem(code=p.code, message=p.message) for p in problems],
        )
