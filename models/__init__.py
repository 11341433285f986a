"""The core of oneoff: everything it knows about billing, with no server in it.

One package per subject; each package's docstring says what it holds and what it may import,
and tests/test_layers.py enforces it. From the bottom up:

- billing: money, the pure invoice arithmetic, numbering and statuses (no I/O).
- inputs: the rejections a caller can act on, and the checks that collect them.
- store: settings, engines and transactions, tables, migrations, pagination, counters.
- catalog: customers, add-ons and taxes.
- organizations: the tenants and their API keys.
- events: the outbox, its readers and the wake-ups on both engines.
- invoicing: the createOneOffInvoice use-case and invoice reads (and the billing rules).
- webhooks: endpoints, deliveries, their leases, the sender and URL safety.
- documents: an invoice's PDF, kept as first rendered, and the signed links that reach it.
- operators: what the command line does for an operator, the demo seed included.

Nothing here imports `graph` (the server) or its frameworks.
"""
