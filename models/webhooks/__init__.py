"""Webhooks: endpoints, their deliveries (durable rows written with each event), the leases
that let one sender at a time send a delivery, the sender that signs and POSTs them, and
the URL safety checks applied when an endpoint is saved and again when it is sent to.

May import: models.billing, models.inputs, models.store, models.events, models.webhooks.
"""
