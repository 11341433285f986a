"""Documents: an issued invoice as the PDF its customer receives (content.py formats it in
the document's locale, typesetting.py lays it out with typst and fonts from PyPI, store.py
keeps it), and the signed, expiring links that reach it without an API key (links.py).

May import: models.billing, models.inputs, models.store, models.catalog, models.invoicing,
models.einvoices, models.documents.
"""
