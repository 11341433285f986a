"""The catalog an organization bills from: customers, add-ons and taxes (one taxes module:
rates, defaults and the lookup of tax codes).

May import: models.billing, models.inputs, models.store, models.catalog.
"""
