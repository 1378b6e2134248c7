"""An empty PATCH (``{}``) changes nothing and answers the object as it is (200), as REST
clients expect of a partial update: assignments, members, operator members, schedules and
webhook endpoints alike. No service runs, so no audit event is written."""

from exports.schedules import create_schedule
from portal.models import AuditEvent, Membership, OperatorMembership
from portal.services.webhooks import create_endpoint


def _patch_nothing(client, url: str) -> dict:
    events = AuditEvent.objects.count()
    response = client.patch(url, {}, format="json")
    assert response.status_code == 200, response.json()
    assert AuditEvent.objects.count() == events
    return response.json()


def test_an_empty_patch_leaves_an_assignment_as_it_is(world, api):
    url = "/api/v1/tenants/contoso/assignments/operator-o/"
    before = api(world.alice).get(url).json()
    assert _patch_nothing(api(world.alice), url) == before


def test_an_empty_patch_leaves_a_members_role_as_it_is(world, api):
    member = Membership.objects.get(user=world.victor, tenant=world.tenant_a)
    body = _patch_nothing(api(world.alice), f"/api/v1/tenants/contoso/members/{member.public_id}/")
    assert (body["id"], body["role"]) == (str(member.public_id), member.role)


def test_an_empty_patch_leaves_an_operator_members_role_as_it_is(world, api):
    member = OperatorMembership.objects.get(user=world.oscar)
    url = f"/api/v1/operators/operator-o/members/{member.public_id}/"
    body = _patch_nothing(api(world.olivia), url)
    assert (body["id"], body["role"]) == (str(member.public_id), member.role)


def test_an_empty_patch_leaves_a_schedule_as_it_is(world, api):
    schedule = create_schedule(
        world.operator_o, by=world.olivia, name="Nightly", datasets=["call_records"],
        format="csv", cadence="daily", tenant=world.tenant_a,
    )  # fmt: skip
    body = _patch_nothing(
        api(world.olivia), f"/api/v1/operators/operator-o/schedules/{schedule.pk}/"
    )
    assert (body["id"], body["paused"]) == (str(schedule.pk), False)


def test_an_empty_patch_leaves_a_webhook_endpoint_as_it_is(world, api):
    endpoint, _secret = create_endpoint(
        world.operator_o, by=world.olivia, url="https://hooks.operator-o.test/e",
        event_types=["export.succeeded"],
    )  # fmt: skip
    url = f"/api/v1/operators/operator-o/webhooks/{endpoint.public_id}/"
    body = _patch_nothing(api(world.olivia), url)
    assert (body["url"], body["is_active"]) == ("https://hooks.operator-o.test/e", True)


def test_patching_the_role_a_member_already_has_changes_nothing(world, api):
    member = Membership.objects.get(user=world.victor, tenant=world.tenant_a)
    url = f"/api/v1/tenants/contoso/members/{member.public_id}/"
    events = AuditEvent.objects.count()
    response = api(world.alice).patch(url, {"role": member.role}, format="json")
    assert (response.status_code, response.json()["role"]) == (200, member.role)
    assert AuditEvent.objects.count() == events
