"""A demo organization for a first look, made through the same use-cases a client calls."""

from __future__ import annotations

from sqlalchemy import func, select

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.catalog.taxes import create_tax
from models.organizations.organizations import create_organization, update_organization
from models.store.db import Database
from models.store.tables import Organization


async def is_empty(db: Database) -> bool:
    async with db.read() as session:
        return not await session.scalar(select(func.count()).select_from(Organization))


async def seed_demo(db: Database) -> str:
    """Create the demo organization and return its API key."""
    organization, key = await create_organization(db, "Acme Demo")
    org = organization.id
    await create_tax(
        db,
        org,
        {"code": "vat_20", "name": "VAT 20%", "rate": "20", "applied_to_organization": True},
    )
    await create_tax(db, org, {"code": "vat_5_5", "name": "VAT 5.5%", "rate": "5.5"})
    await create_tax(db, org, {"code": "us_sales_8_875", "name": "NY sales tax", "rate": "8.875"})
    await update_organization(
        db,
        org,
        {
            "net_payment_term": 30,
            "legal_name": "Acme Demo SAS",
            "email": "billing@acme-demo.example",
            "address_line1": "12 rue des Lilas",
            "zipcode": "75011",
            "city": "Paris",
            "country": "FR",
            "tax_identification_number": "FR40123456789",
            "legal_registration_number": "123456789",
        },
    )
    await create_customer(
        db,
        org,
        {
            "external_id": "cust_paris",
            "name": "Librairie du Parc",
            "email": "billing@librairie.example",
            "currency": "EUR",
            "timezone": "Europe/Paris",
            "address_line1": "3 place du Marché",
            "zipcode": "69002",
            "city": "Lyon",
            "country": "FR",
            "tax_identification_number": "FR83404833048",
            "document_locale": "fr",
        },
    )
    await create_customer(
        db,
        org,
        {
            "external_id": "cust_nyc",
            "name": "Hudson Labs",
            "email": "ap@hudson.example",
            "currency": "USD",
            "timezone": "America/New_York",
            "country": "US",
            "tax_codes": ["us_sales_8_875"],
        },
    )
    await create_customer(
        db,
        org,
        {
            "external_id": "cust_tokyo",
            "name": "Sakura KK",
            "email": "keiri@sakura.example",
            "timezone": "Asia/Tokyo",
            "country": "JP",
            "tax_codes": [],
        },
    )
    await create_add_on(
        db,
        org,
        {
            "code": "setup_fee",
            "name": "Setup fee",
            "invoice_display_name": "One-time setup",
            "description": "Account setup and onboarding",
            "amount_cents": 50000,
            "amount_currency": "EUR",
        },
    )
    await create_add_on(
        db,
        org,
        {
            "code": "ebook",
            "name": "E-book",
            "amount_cents": 1999,
            "amount_currency": "EUR",
            "tax_codes": ["vat_5_5"],
        },
    )
    await create_add_on(
        db,
        org,
        {
            "code": "consulting_hour",
            "name": "Consulting hour",
            "amount_cents": 15000,
            "amount_currency": "USD",
        },
    )
    await create_add_on(
        db,
        org,
        {
            "code": "workshop_jp",
            "name": "Workshop (Tokyo)",
            "amount_cents": 120000,
            "amount_currency": "JPY",
        },
    )
    return key.plain
