"""The infrastructure: settings, engines and transactions on SQLite and PostgreSQL, the
tables, their migrations, keyset pagination, gapless counters, in-process wake-ups.

No use-case lives here.

May import: models.billing, models.inputs, models.store.
"""
