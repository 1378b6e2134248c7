"""The demo publishes a notice for every tenant using Operator Connect, leaving one stale."""

from notices.demo import publish_demo_notices
from notices.models import NoticeVersion
from notices.services import notice_status
from portal import services
from tests.factories import TenantFactory, UserFactory, membership
from tests.notices.conftest import assign


def test_publish_demo_notices(world):
    carol = UserFactory(email="carol@woodgrove.test")
    woodgrove = TenantFactory(name="Woodgrove", slug="woodgrove", privacy_contact_email="")
    membership(carol, woodgrove)
    services.enable_operator_connect(woodgrove, by=carol, acknowledged=True)
    assign(woodgrove, world.operator_o, ["GB"], carol)
    assign(woodgrove, world.operator_u, ["DE"], carol)

    published = publish_demo_notices()

    assert {v.tenant.slug for v in published} == {"contoso", "woodgrove"}
    assert not NoticeVersion.objects.for_tenant(world.tenant_b).exists()  # not using OC
    stale = [t for t in (world.tenant_a, woodgrove) if notice_status(t).out_of_date]
    assert len(stale) == 1
    # Running it again publishes the stale one and leaves another one stale.
    again = publish_demo_notices()
    assert len(again) == 1
    assert sum(1 for t in (world.tenant_a, woodgrove) if notice_status(t).out_of_date) == 1
