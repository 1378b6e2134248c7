"""Fixtures of the notice tests: a clean cache, and tenants with many operator states."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from notices import cache as notice_cache
from notices.services import publish_notice
from portal import services
from portal.choices import CompanySize
from tests.factories import OperatorFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # Redis outlives the test database: a page cached by one test must not leak into the next.
    cache.clear()
    notice_cache.local.clear()
    yield
    cache.clear()
    notice_cache.local.clear()


def assign(tenant, operator, countries, by):
    return services.assign_operator(
        tenant,
        operator,
        countries=countries,
        contact_full_name="Alice Admin",
        contact_email="alice@contoso.test",
        company_size=CompanySize.S251_1000,
        acknowledged=True,
        by=by,
    )


def publish(tenant, by, **kwargs):
    """Publish and forget the cached public state (on_commit never runs inside a test)."""
    version = publish_notice(tenant, by=by, **kwargs)
    notice_cache.invalidate_tenant(tenant.slug)
    return version


@pytest.fixture
def carriers(world):
    """Tenant A with operators in every state: active ×3, suspended, removed, never assigned.

    The notice names active and suspended operators: a suspension is not told to users as a
    removal (a notice naming a suspended operator over-discloses, never under-discloses)."""
    alice = world.alice
    tenant = world.tenant_a
    contoso = OperatorFactory(
        name="Contoso Telecom", slug="contoso-telecom", countries=["DE", "FR", "GB"]
    )
    fabrikam = OperatorFactory(name="Fabrikam Voice", slug="fabrikam-voice", countries=["ES"])
    northwind = OperatorFactory(name="Northwind Calls", slug="northwind", countries=["FR", "GB"])
    suspended = OperatorFactory(name="Suspended Telco", slug="suspended-telco", countries=["GB"])
    removed = OperatorFactory(name="Removed Telco", slug="removed-telco", countries=["GB"])
    never = OperatorFactory(name="Never Assigned", slug="never-assigned", countries=["GB"])
    assign(tenant, contoso, ["DE", "FR"], alice)
    assign(tenant, fabrikam, ["ES"], alice)
    assign(tenant, northwind, ["GB"], alice)
    services.suspend_assignment(assign(tenant, suspended, ["GB"], alice), by=alice)
    services.remove_assignment(assign(tenant, removed, ["GB"], alice), by=alice)
    return SimpleNamespace(
        receiving=[contoso, fabrikam, northwind, suspended, world.operator_o],
        not_receiving=[removed, never, world.operator_u],
        contoso=contoso,
        fabrikam=fabrikam,
    )
