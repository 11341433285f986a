"""Billing arithmetic: money, the invoice's totals and tax split, numbering, statuses.

Pure: no I/O, no database; tested without one (hypothesis for the invariants).

May import: models.billing (and the standard library, babel).
"""
