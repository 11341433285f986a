"""Events: the outbox (an event row and its webhook deliveries, written in the transaction of
what it announces), the list of event types, the reader that subscriptions replay and follow
(reader.py, over pages.py), the process's one hub that hands new events to every caught-up
listener (hub.py, listener.py), and the wake-ups that tell readers and senders, after
commit, that there is something new.

Knows no domain: a use-case hands `record_event` the body of what the event is about, and a
reader hands `follow` the batch query of those objects.

May import: models.billing, models.inputs, models.store, models.events.
"""
