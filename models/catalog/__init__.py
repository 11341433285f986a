"""The catalog an organization bills from: customers, add-ons and taxes (one taxes module,
with the lookups that resolve tax codes and each owner's taxes).

May import: models.billing, models.inputs, models.store, models.catalog.
"""
