"""The tenants: organizations, their settings, and the API keys that reach them.

An organization's default taxes are catalog taxes.

May import: models.billing, models.inputs, models.store, models.catalog, models.organizations.
"""
