"""Webhooks: endpoints, their deliveries (durable rows written with each event), the sender
that signs and POSTs them, and the URL safety checks applied when saved and when sent.

May import: models.billing, models.inputs, models.store, models.events, models.webhooks.
"""
