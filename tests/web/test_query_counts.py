"""List pages make a fixed number of queries, however many rows they show (no N+1)."""

import pytest

from portal import services
from portal.choices import CompanySize, PstnAssignmentStatus
from tests.factories import (
    CallRecordFactory,
    EmergencyLocationFactory,
    OperatorFactory,
    PhoneNumberFactory,
    UserFactory,
    membership,
)

pytestmark = pytest.mark.django_db

ROWS = 60  # more than a page, so every row-level lookup would multiply


@pytest.fixture
def busy_tenant(world):
    tenant = world.tenant_a
    operators = [world.operator_o, world.operator_u] + [
        OperatorFactory(name=f"Carrier {i:02d}", slug=f"carrier-{i:02d}", countries=["GB", "IE"])
        for i in range(12)
    ]
    for operator in operators[1:6]:
        services.assign_operator(
            tenant, operator, countries=["GB"], contact_full_name="Alice Admin",
            contact_email="alice@contoso.test", company_size=CompanySize.S1_50,
            acknowledged=True, by=world.alice,
        )  # fmt: skip
    for i in range(ROWS):
        location = EmergencyLocationFactory(tenant=tenant, company_name=f"Site {i:02d}")
        operator = operators[i % 6]
        PhoneNumberFactory(tenant=tenant, operator=operator, iso_country_code="GB",
                           emergency_location=location,
                           pstn_assignment_status=PstnAssignmentStatus.USER)  # fmt: skip
        CallRecordFactory(tenant=tenant, operator=operator)
        membership(UserFactory(), tenant)
        services.record_event("tenant.updated", actor=world.alice, tenant=tenant,
                              operator=operator, target=tenant)  # fmt: skip
    return tenant


@pytest.mark.parametrize(
    ("page", "kwargs", "cap"),
    [
        # per operator (6 here): its share windows once (2 queries) and 3 counts, none per
        # number or call (48 in all; 84 when each count read the windows again)
        ("dashboard", {}, 55),
        ("directory", {}, 12),
        ("assignments", {}, 12),
        ("assignment_detail", {"operator_slug": "operator-o"}, 20),  # + the gate's history
        ("numbers", {}, 12),
        ("locations", {}, 12),
        ("calls", {}, 12),
        ("members", {}, 10),
        ("audit", {}, 14),
    ],
)
def test_list_pages_have_a_query_cap(
    world, alice_client, url, busy_tenant, django_assert_max_num_queries, page, kwargs, cap
):
    with django_assert_max_num_queries(cap):
        response = alice_client.get(url(page, busy_tenant, **kwargs))
    assert response.status_code == 200
