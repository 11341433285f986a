"""E-invoices: an issued invoice as EN 16931 structured data (terms.py), the reasons one
cannot be (problems.py, parties.py, by their codes in problem_codes.py, against the official
code lists in codes.py), and its two syntaxes: UN/CEFACT CII for Factur-X, embedded in the
invoice's PDF (cii.py, facturx.py), and UBL 2.1 as Peppol BIS Billing 3.0 (ubl.py).

May import: models.billing, models.inputs, models.store, models.einvoices.
"""
