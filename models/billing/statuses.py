"""The states an invoice and its numbering can be in: one vocabulary for the core and the API.

StrEnums, so that a value read back from a column (a plain string) compares equal to its member.
"""

from __future__ import annotations

from enum import StrEnum


class InvoiceType(StrEnum):
    ONE_OFF = "ONE_OFF"


class InvoiceStatus(StrEnum):
    FINALIZED = "FINALIZED"
    VOIDED = "VOIDED"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class DocumentNumbering(StrEnum):
    PER_CUSTOMER = "PER_CUSTOMER"
    PER_ORGANIZATION = "PER_ORGANIZATION"
