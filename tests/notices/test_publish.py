"""Publishing: versions, immutability, change summaries, status and the I3 guard."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from notices.models import NoticeVersion
from notices.services import notice_status, publish_notice
from portal import services
from portal.choices import AuditAction, CompanySize
from portal.errors import Conflict, DomainError
from portal.models import AuditEvent
from portal.sharing import require_open as require_notice_naming
from tests.factories import OperatorFactory


def _assign(world, operator, countries):
    return services.assign_operator(
        world.tenant_a,
        operator,
        countries=countries,
        contact_full_name="Alice Admin",
        contact_email="alice@contoso.test",
        company_size=CompanySize.S251_1000,
        acknowledged=True,
        by=world.alice,
    )


def test_first_publish_creates_version_one_with_configuration_and_audit(world):
    version = publish_notice(world.tenant_a, by=world.alice, note="Launch", ip="192.0.2.1")

    assert version.number == 1
    assert version.admin_note == "Launch"
    assert version.languages == ["en", "de", "fr", "es"]
    assert version.configuration["enabled"] is True
    assert [(o["name"], o["countries"]) for o in version.configuration["operators"]] == [
        ("Operator O", ["DE", "GB"])
    ]
    assert version.change_summary == "First published version"
    assert len(version.sha256) == 64
    event = AuditEvent.objects.get(action=AuditAction.NOTICE_PUBLISHED)
    assert event.tenant_id == world.tenant_a.pk
    assert event.actor_id == world.alice.pk
    assert event.details["version"] == 1


def test_change_summary_names_added_and_removed_operators(world):
    publish_notice(world.tenant_a, by=world.alice)
    contoso_telecom = OperatorFactory(
        name="Contoso Telecom", slug="contoso-telecom", countries=["DE", "FR", "GB"]
    )
    _assign(world, contoso_telecom, ["FR", "DE"])
    services.remove_assignment(world.assignment, by=world.alice)

    v2 = publish_notice(world.tenant_a, by=world.alice)

    assert v2.number == 2
    assert v2.change_summary == "Added Contoso Telecom for DE and FR; removed Operator O"


def test_publishing_an_unchanged_configuration_is_refused(world):
    publish_notice(world.tenant_a, by=world.alice)
    with pytest.raises(Conflict) as exc:
        publish_notice(world.tenant_a, by=world.alice)
    assert exc.value.code == "notice_up_to_date"
    assert NoticeVersion.objects.for_tenant(world.tenant_a).count() == 1


def test_publishing_without_any_privacy_contact_is_refused(world):
    tenant = world.tenant_a
    tenant.privacy_contact_email = ""
    tenant.save(update_fields=["privacy_contact_email"])
    with pytest.raises(DomainError) as exc:
        publish_notice(tenant, by=world.alice)
    assert exc.value.code == "notice_incomplete"
    assert not NoticeVersion.objects.exists()


def test_versions_are_immutable_in_python(world):
    version = publish_notice(world.tenant_a, by=world.alice)
    version.admin_note = "rewritten"
    with pytest.raises(RuntimeError):
        version.save()
    with pytest.raises(RuntimeError):
        version.delete()


def test_versions_are_immutable_in_the_database(world):
    version = publish_notice(world.tenant_a, by=world.alice)
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError), transaction.atomic():
        NoticeVersion.objects.filter(pk=version.pk).update(admin_note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        NoticeVersion.objects.filter(pk=version.pk).delete()
    version.refresh_from_db()
    assert version.admin_note == ""


@pytest.mark.parametrize(
    "change",
    ["remove", "countries", "disable", "assign", "privacy_url", "terms_url"],
)
def test_every_configuration_change_makes_the_notice_out_of_date(world, change):
    publish_notice(world.tenant_a, by=world.alice)
    assert notice_status(world.tenant_a).out_of_date is False

    if change == "remove":
        services.remove_assignment(world.assignment, by=world.alice)
    elif change == "countries":
        services.change_assignment_countries(world.assignment, countries=["GB"], by=world.alice)
    elif change == "disable":
        services.disable_operator_connect(world.tenant_a, by=world.alice)
    elif change == "assign":
        _assign(world, world.operator_u, ["GB"])
    elif change == "privacy_url":
        world.operator_o.privacy_policy_url = "https://operator-o.example/privacy-2027"
        world.operator_o.save()
    elif change == "terms_url":
        world.operator_o.terms_url = "https://operator-o.example/terms-2027"
        world.operator_o.save()

    status = notice_status(world.tenant_a)
    assert status.out_of_date is True
    assert status.can_publish is True


def test_suspending_and_resuming_do_not_make_the_notice_out_of_date(world):
    # A suspension is not a removal: the notice still names the operator, which is true of
    # the relationship and over-discloses at worst. Telling users "Removed" would be false.
    publish_notice(world.tenant_a, by=world.alice)
    services.suspend_assignment(world.assignment, by=world.alice)
    assert notice_status(world.tenant_a).out_of_date is False
    services.resume_assignment(world.assignment, by=world.alice)
    assert notice_status(world.tenant_a).out_of_date is False


def test_tenant_sharing_without_a_notice_is_out_of_date_and_one_without_is_not(world):
    assert notice_status(world.tenant_a).out_of_date is True
    assert notice_status(world.tenant_a).never_published is True
    assert notice_status(world.tenant_b).out_of_date is False


def test_guard_returns_the_version_naming_the_operator(world):
    version = publish_notice(world.tenant_a, by=world.alice)
    assert require_notice_naming(world.tenant_a, world.operator_o) == version


def test_guard_refuses_when_nothing_was_published(world):
    with pytest.raises(DomainError) as exc:
        require_notice_naming(world.tenant_a, world.operator_o)
    assert exc.value.code == "notice_missing_operator"
    assert "has not published a privacy notice" in exc.value.message


def test_guard_refuses_an_operator_the_published_version_does_not_name(world):
    publish_notice(world.tenant_a, by=world.alice)
    _assign(world, world.operator_u, ["GB"])  # assigned, but the notice is not republished
    with pytest.raises(DomainError) as exc:
        require_notice_naming(world.tenant_a, world.operator_u)
    assert exc.value.code == "notice_missing_operator"
    assert "does not name Operator U" in exc.value.message
    assert "version 1" in exc.value.message


def test_guard_refuses_after_a_version_that_dropped_the_operator(world):
    publish_notice(world.tenant_a, by=world.alice)
    services.remove_assignment(world.assignment, by=world.alice)
    publish_notice(world.tenant_a, by=world.alice)
    with pytest.raises(DomainError):
        require_notice_naming(world.tenant_a, world.operator_o)
