"""Factories for the domain. Build worlds through services where a service exists."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from portal import models
from portal.choices import CallType, Direction, OperatorRole, TenantRole
from portal.models.tenants import masks_by_default

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tenant {n}")
    slug = factory.Sequence(lambda n: f"tenant-{n}")
    microsoft_tenant_id = factory.LazyFunction(uuid.uuid4)
    country = "GB"
    privacy_contact_name = "Data Protection Officer"
    privacy_contact_email = factory.LazyAttribute(lambda t: f"privacy@{t.slug}.example")
    mask_external_digits = factory.LazyAttribute(lambda t: masks_by_default(t.country))


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Operator
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Operator {n}")
    slug = factory.Sequence(lambda n: f"operator-{n}")
    privacy_policy_url = factory.LazyAttribute(lambda o: f"https://{o.slug}.example/privacy")
    terms_url = factory.LazyAttribute(lambda o: f"https://{o.slug}.example/terms")
    services = factory.LazyFunction(lambda: ["calling"])

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if not create:
            return
        for code in extracted or ["GB", "DE", "FR"]:
            models.OperatorCountry.objects.get_or_create(operator=self, country=code)


def membership(user, tenant, role=TenantRole.ADMIN):
    return models.Membership.objects.get_or_create(
        user=user, tenant=tenant, defaults={"role": role}
    )[0]


def operator_membership(user, operator, role=OperatorRole.ANALYST):
    return models.OperatorMembership.objects.get_or_create(
        user=user, operator=operator, defaults={"role": role}
    )[0]


class EmergencyLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EmergencyLocation

    tenant = factory.SubFactory(TenantFactory)
    company_name = "Example Ltd"
    house_number = "1"
    street_name = "High Street"
    city = "London"
    postal_code = "EC1A 1AA"
    country = "GB"


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PhoneNumber

    telephone_number = factory.Sequence(lambda n: f"+4420790{n:05d}")
    tenant = factory.SubFactory(TenantFactory)
    operator = factory.SubFactory(OperatorFactory)
    sip_uri = factory.LazyAttribute(lambda n: f"sip:{n.telephone_number}@tenant.example")
    iso_country_code = "GB"


class CallRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CallRecord

    id = factory.LazyFunction(uuid.uuid4)
    tenant = factory.SubFactory(TenantFactory)
    operator = factory.SubFactory(OperatorFactory)
    call_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    call_type = CallType.USER_OUT
    direction = Direction.OUTBOUND
    caller_number = "+442079460000"
    callee_number = "+442079460001"
    invite_time = factory.LazyFunction(timezone.now)
    start_time = factory.LazyAttribute(lambda c: c.invite_time + timedelta(seconds=2))
    end_time = factory.LazyAttribute(lambda c: c.start_time + timedelta(seconds=60))
    duration_seconds = 60
    final_sip_code = 200
    tenant_country = "GB"


def tell_users(tenant, by):
    """Publish the tenant's notice if it no longer describes the configuration (else nothing).

    The sharing gate needs the notice in force to name an operator; histories built in tests call
    this right after a change to tell users at the same instant.
    """
    from notices.services import notice_status, publish_notice

    if notice_status(tenant).out_of_date:
        return publish_notice(tenant, by=by)
    return None
