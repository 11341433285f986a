"""The batch reads behind a page hold however many ids a request gathers: more than a
statement may bind (32,766 values on either engine) is read in several."""

from __future__ import annotations

from models.invoicing.reads import MAX_BOUND, taxes_of_fees
from tests.conftest import Api
from tests.einvoices.billing import Biller


async def test_the_taxes_of_more_fees_than_a_statement_binds_are_all_read(api: Api) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("EUR", [("1", "1000", ["vat20"]), ("2", "5", ["vat10"])])
    fees = (await biller.issued(invoice_id)).fees
    unknown = [f"no-such-fee-{n}" for n in range(4 * MAX_BOUND)]
    # The real fees last, in the last of several statements.
    asked = [*unknown, *(fee.id for fee in fees)]
    async with api.db.read() as session:
        found = await taxes_of_fees(session, asked)
    assert {fee_id: [t.tax_code for t in taxes] for fee_id, taxes in found.items()} == {
        fees[0].id: ["vat20"],
        fees[1].id: ["vat10"],
    }
