"""seed_demo builds a realistic, idempotent, deterministic demo world (issue 2, item 9) that
tells one consistent story: rows, periods, notices and audit events carry the story's dates."""

import ipaddress
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from demo.catalog import (
    ASSIGNMENTS,
    DEMO_PASSWORD,
    OPERATOR_AGE_DAYS,
    PEOPLE,
    TENANT_AGE_DAYS,
    TENANTS,
)
from demo.inventory import FORMULA_NAMES
from demo.world import story_time
from portal import services
from portal.choices import (
    AssignmentStatus,
    AuditAction,
    CallQuality,
    OperatorRole,
    PstnAssignmentStatus,
    RelationshipStatus,
    TenantRole,
)
from portal.errors import Conflict
from portal.models import (
    AssignmentPeriod,
    AuditEvent,
    CallRecord,
    EmergencyLocation,
    EnablementPeriod,
    Membership,
    Operator,
    OperatorAssignment,
    OperatorMembership,
    PhoneNumber,
    PhoneNumberPeriod,
    Tenant,
    User,
)

CALLS = 300
MODELS = [
    User, Tenant, Operator, Membership, OperatorMembership, OperatorAssignment, AssignmentPeriod,
    EnablementPeriod, PhoneNumber, PhoneNumberPeriod, EmergencyLocation, CallRecord, AuditEvent,
]  # fmt: skip


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def demo(db):
    seed("--calls", str(CALLS))


def assignment(tenant: str, operator: str) -> OperatorAssignment:
    return OperatorAssignment.objects.get(tenant__slug=tenant, operator__slug=operator)


def test_tenants_in_several_countries_one_without_operator_connect(demo):
    tenants = {t.slug: t for t in Tenant.objects.all()}
    assert {s: t.country.code for s, t in tenants.items()} == {
        "contoso": "GB",
        "fabrikam": "DE",
        "northwind": "FR",
        "tailspin": "US",
        "woodgrove": "CH",
    }
    assert not tenants["woodgrove"].operator_connect_enabled
    assert not EnablementPeriod.objects.filter(tenant=tenants["woodgrove"]).exists()
    assert all(t.operator_connect_enabled for s, t in tenants.items() if s != "woodgrove")


def test_operator_directory_links_stay_on_example_domains(demo):
    operators = list(Operator.objects.prefetch_related("countries"))
    assert len(operators) == 6
    for operator in operators:
        assert operator.privacy_policy_url.startswith("https://")
        assert ".example/" in operator.privacy_policy_url
        assert ".example/" in operator.terms_url
        assert operator.country_codes
        assert operator.services


def test_assignment_histories_cover_every_status(demo):
    assert assignment("fabrikam", "meridian").status == AssignmentStatus.SUSPENDED
    removed = assignment("northwind", "northwave")
    assert removed.status == AssignmentStatus.REMOVED
    assert removed.relationship_status == RelationshipStatus.DECLINED
    assert removed.relationship_reason
    assert assignment("tailspin", "bluebell").relationship_status == RelationshipStatus.PENDING
    assert assignment("tailspin", "meridian").relationship_status == RelationshipStatus.TERMINATED
    assert assignment("contoso", "northwave").relationship_status == (
        RelationshipStatus.AGREEMENT_SIGNED
    )
    subset = assignment("contoso", "meridian")
    assert subset.country_codes == ["GB"]
    assert len(Operator.objects.get(slug="meridian").country_codes) > 1
    periods = list(subset.periods.order_by("started_at"))
    assert [p.countries for p in periods] == [["DE", "GB"], ["GB"]]
    assert periods[0].end_reason == "countries_changed"


def test_assignments_were_made_through_the_services(demo):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "operator_connect.enabled",
        "assignment.added",
        "assignment.countries_changed",
        "assignment.suspended",
        "assignment.removed",
        "assignment.relationship_changed",
        "member.added",
        "operator_member.added",
    } <= actions


def test_members_of_every_role_share_one_password(demo):
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {TenantRole.ADMIN, TenantRole.VIEWER}
    op_roles = set(OperatorMembership.objects.values_list("role", flat=True))
    assert op_roles == {OperatorRole.ADMIN, OperatorRole.ANALYST}
    mia = User.objects.get(email="mia@partner.example")
    assert mia.memberships.count() == 2
    staff = User.objects.get(email="staff@platform.example")
    assert staff.is_staff and staff.is_superuser
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.email


def test_active_assignments_share_calls_and_numbers(demo):
    ended = [RelationshipStatus.DECLINED, RelationshipStatus.TERMINATED]
    active = OperatorAssignment.objects.sharing().exclude(relationship_status__in=ended)
    for a in active.select_related("tenant", "operator"):
        assert CallRecord.objects.shareable_with(a.operator, a.tenant).exists(), a
        assert PhoneNumber.objects.shareable_with(a.operator, a.tenant).exists(), a
    sharing = {(a.tenant.slug, a.operator.slug) for a in OperatorAssignment.objects.sharing()}
    assert {
        ("contoso", "northwave"),
        ("contoso", "meridian"),
        ("fabrikam", "alpenruf"),
        ("northwind", "lumiere"),
        ("tailspin", "bluebell"),
    } <= sharing


def test_suspended_and_removed_operators_receive_only_their_past(demo):
    suspended = assignment("fabrikam", "meridian")
    assert not PhoneNumber.objects.shareable_with(suspended.operator, suspended.tenant).exists()
    shared = CallRecord.objects.shareable_with(suspended.operator, suspended.tenant)
    everything = CallRecord.objects.for_tenant(suspended.tenant).filter(operator=suspended.operator)
    assert 0 < shared.count() < everything.count()
    removed = assignment("northwind", "northwave")
    assert not PhoneNumber.objects.shareable_with(removed.operator, removed.tenant).exists()


def test_numbers_have_sip_uris_and_every_kind_of_assignment(demo):
    numbers = PhoneNumber.objects.all()
    assert all(n.sip_uri.startswith("sip:+") for n in numbers)
    statuses = set(numbers.values_list("pstn_assignment_status", flat=True))
    assert statuses == set(PstnAssignmentStatus.values)
    assert numbers.filter(emergency_location__isnull=False).exists()


def test_removing_an_operator_with_assigned_numbers_is_refused(demo):
    a = assignment("contoso", "northwave")
    alice = User.objects.get(email="alice@contoso.example")
    with pytest.raises(Conflict) as refused:
        services.remove_assignment(a, by=alice)
    assert refused.value.code == "numbers_assigned"


def test_emergency_locations_are_realistic(demo):
    locations = EmergencyLocation.objects.all()
    assert {"Validated", "NotValidated"} <= set(
        locations.values_list("validation_status", flat=True)
    )
    assert locations.exclude(elin="").exists()
    assert not locations.filter(latitude__isnull=True).exists()
    assert locations.filter(country="US").exclude(state_or_province="").count() == 2


def test_call_records_have_plausible_distributions(demo):
    calls = CallRecord.objects.all()
    assert calls.count() == CALLS
    assert len(set(calls.values_list("call_type", flat=True))) >= 6
    assert {"inbound", "outbound"} == set(calls.values_list("direction", flat=True))
    failed = calls.filter(success=False)
    assert failed.exists()
    assert all(400 <= c.final_sip_code < 700 and c.final_sip_phrase for c in failed)
    assert all(c.start_time is None and c.failure_time for c in failed)
    poor = calls.filter(quality=CallQuality.POOR)
    classified = calls.exclude(quality=CallQuality.UNCLASSIFIED).count()
    assert 0.01 < poor.count() / classified < 0.12
    for c in poor:
        assert c.rtt_avg_ms > 500 or c.packet_loss_avg > 0.1 or c.jitter_avg_ms > 30
    for c in calls.filter(quality=CallQuality.GOOD):
        assert c.rtt_avg_ms <= 500 and c.packet_loss_avg <= 0.1 and c.jitter_avg_ms <= 30
    emergency = calls.filter(is_emergency=True)
    assert emergency.exists()
    assert all(c.emergency_location_snapshot["country"] for c in emergency)
    versions = {
        ipaddress.ip_address(ip).version
        for ip in calls.exclude(caller_ip=None).values_list("caller_ip", flat=True)
    }
    assert versions == {4, 6}
    assert len(set(calls.exclude(caller_os="").values_list("caller_os", flat=True))) >= 5


def test_formula_like_display_names_are_present(demo):
    names = set(CallRecord.objects.values_list("user_display_name", flat=True))
    assert set(FORMULA_NAMES) <= names
    numbers = set(PhoneNumber.objects.values_list("assigned_display_name", flat=True))
    assert set(FORMULA_NAMES) <= numbers


def test_call_records_fall_in_the_last_90_days(demo):
    times = CallRecord.objects.values_list("invite_time", flat=True)
    span = max(times) - min(times)
    assert 30 < span.days <= 90


def test_every_sharing_tenant_has_a_published_notice_and_one_is_out_of_date(demo):
    from notices.models import NoticeVersion
    from notices.services import notice_status

    sharing = Tenant.objects.filter(operator_connect_enabled=True)
    assert sharing.count() >= 3
    assert all(NoticeVersion.objects.filter(tenant=t).exists() for t in sharing)
    # Only the one left out of date on purpose: Contoso added DE to Northwave, not yet published.
    stale = [t.slug for t in sharing if notice_status(t).out_of_date]
    assert stale == ["contoso"]


def test_running_twice_duplicates_nothing(demo):
    before = counts()
    seed("--calls", str(CALLS))
    assert counts() == before


def test_more_calls_extend_the_same_sequence(demo):
    first = set(CallRecord.objects.values_list("id", flat=True))
    seed("--calls", str(CALLS + 200))
    after = set(CallRecord.objects.values_list("id", flat=True))
    assert first < after
    assert len(after) == CALLS + 200


def test_once_does_nothing_when_the_world_exists(demo):
    before = counts()
    out = seed("--once", "--calls", "5000")
    assert "nothing to do" in out
    assert counts() == before


def test_the_world_is_deterministic(db):
    seed("--calls", "50")
    keys = sorted(CallRecord.objects.values_list("call_id", "leg", "duration_seconds"))
    CallRecord.objects.all().delete()
    seed("--calls", "50")
    assert sorted(CallRecord.objects.values_list("call_id", "leg", "duration_seconds")) == keys


def test_demo_logins_lists_every_persona_and_where_to_go(demo):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert "staff@platform.example" in text and "/admin/" in text
    assert "alice@contoso.example" in text and "/t/contoso/" in text
    assert "oscar@northwave.example" in text and "/o/northwave/" in text


def test_demo_logins_without_a_world_says_how_to_make_one(db):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()


def test_parallel_copy_writes_the_same_rows_as_the_sequential_generator(db, monkeypatch):
    """Small chunks force the multi-process COPY path on a small demo."""
    import demo.calls as calls_module
    from demo.calls import build_lines, generate_calls
    from demo.world import find_anchor

    monkeypatch.setattr(calls_module, "CHUNK_ROWS", 40)
    seed("--calls", "300")
    expected = {row[3:5] for row in generate_calls(build_lines(find_anchor()), 300)}
    assert set(CallRecord.objects.values_list("call_id", "leg")) == expected
    assert CallRecord.objects.count() == 300


def test_copy_text_escapes_free_text():
    from demo.writers import _escape

    assert _escape('=HYPERLINK("http://evil.example","click")') == (
        '=HYPERLINK("http://evil.example","click")'
    )
    assert _escape("a\\b\tc\nd") == "a\\\\b\\tc\\nd"


# --- The story: every row dated when the story says it happened ---------------------------------

STORY_CALLS = 2000  # enough that each held-back window holds calls


@pytest.fixture
def story(db) -> datetime:
    """The demo world with a bigger call history; returns its anchor."""
    from demo.world import find_anchor

    seed("--calls", str(STORY_CALLS))
    return find_anchor()


def days_before(anchor: datetime, at: datetime) -> int:
    return (anchor.date() - at.astimezone(UTC).date()).days


def story_days() -> set[int]:
    days = {OPERATOR_AGE_DAYS, TENANT_AGE_DAYS, TENANT_AGE_DAYS - 1}
    days |= {t.enabled_day for t in TENANTS if t.enabled_day is not None}
    for a in ASSIGNMENTS:
        days |= {a.assigned_day, *(day for day, _, _ in a.relationship)}
        days |= {d for d in (a.suspended_day, a.removed_day) if d is not None}
        if a.countries_changed:
            days.add(a.countries_changed[0])
    return days


def test_audit_events_and_rows_carry_the_story_dates_not_the_seed_date(story):
    anchor = story
    events = list(AuditEvent.objects.all())
    assert events
    # Every event happened on a day of the story, in its working hours, before the seed day.
    assert {days_before(anchor, e.occurred_at) for e in events} == story_days()
    assert all(e.occurred_at < anchor for e in events)
    assert all(e.occurred_at.astimezone(UTC).hour >= 9 for e in events)
    # Rows stamped by the same steps agree with their audit events.
    for tenant in Tenant.objects.all():
        created = AuditEvent.objects.get(tenant=tenant, action=AuditAction.TENANT_CREATED)
        assert tenant.created_at == created.occurred_at
        first = AuditEvent.objects.filter(tenant=tenant).order_by("occurred_at", "id").first()
        assert first == created
    for a in OperatorAssignment.objects.all():
        added = AuditEvent.objects.filter(
            tenant=a.tenant_id, operator=a.operator_id, action=AuditAction.ASSIGNMENT_ADDED
        ).get()
        assert a.created_at == added.occurred_at == a.periods.earliest("started_at").started_at
        assert a.acknowledgement.acknowledged_at == added.occurred_at


def test_enabled_since_is_the_day_the_audit_log_says(story):
    anchor = story
    for spec in TENANTS:
        tenant = Tenant.objects.get(slug=spec.slug)
        if spec.enabled_day is None:
            assert not AuditEvent.objects.filter(
                tenant=tenant, action=AuditAction.OC_ENABLED
            ).exists()
            continue
        enabled = AuditEvent.objects.get(tenant=tenant, action=AuditAction.OC_ENABLED)
        period = EnablementPeriod.objects.get(tenant=tenant)
        assert tenant.operator_connect_changed_at == enabled.occurred_at == period.started_at
        assert period.acknowledgement.acknowledged_at == enabled.occurred_at
        assert days_before(anchor, enabled.occurred_at) == spec.enabled_day
        # The dashboard's "Enabled since" is the first thing the tenant's admin did.
        first_by_admin = (
            AuditEvent.objects.filter(tenant=tenant, actor__email=spec_admin(spec.slug))
            .order_by("occurred_at", "id")
            .first()
        )
        assert first_by_admin == enabled
    # The first demo tenant enabled Operator Connect 120 days before the seed day, at 09:00.
    contoso = Tenant.objects.get(slug="contoso")
    assert contoso.operator_connect_changed_at == story_time(anchor, 120)


def spec_admin(slug: str) -> str:
    return next(p.email for p in PEOPLE for s, role in p.tenants if s == slug and role == "admin")


def test_notices_were_published_at_story_times(story):
    from notices.models import NoticeVersion

    anchor = story
    contoso = [
        (
            days_before(anchor, v.effective_at),
            {o["slug"]: o["countries"] for o in v.configuration["operators"]},
        )
        for v in NoticeVersion.objects.filter(tenant__slug="contoso").order_by("number")
    ]
    assert contoso == [
        (118, {"northwave": ["GB", "IE"]}),
        (110, {"meridian": ["DE", "GB"], "northwave": ["GB", "IE"]}),
        (30, {"meridian": ["GB"], "northwave": ["GB", "IE"]}),
    ]
    for version in NoticeVersion.objects.all():
        assert version.published_at == version.effective_at < anchor
        published = AuditEvent.objects.get(
            tenant=version.tenant_id,
            action=AuditAction.NOTICE_PUBLISHED,
            details__version=version.number,
        )
        assert published.occurred_at == version.effective_at
    # Each tenant published its first notice right after adding its first operators.
    for spec in TENANTS:
        if spec.enabled_day is None:
            assert not NoticeVersion.objects.filter(tenant__slug=spec.slug).exists()
            continue
        first = NoticeVersion.objects.filter(tenant__slug=spec.slug).earliest("number")
        added = max(a.assigned_day for a in ASSIGNMENTS if a.tenant == spec.slug)
        assert days_before(anchor, first.effective_at) == added
        assert (
            first.effective_at
            > AuditEvent.objects.filter(tenant__slug=spec.slug, action=AuditAction.ASSIGNMENT_ADDED)
            .earliest("occurred_at")
            .occurred_at
        )


def closed_at(a: OperatorAssignment) -> datetime | None:
    """When the story closed sharing with this operator by state (not by the notice)."""
    if a.status == AssignmentStatus.SUSPENDED:
        return a.status_changed_at
    if a.relationship_status in (RelationshipStatus.DECLINED, RelationshipStatus.TERMINATED):
        return a.relationship_changed_at
    return None


def test_call_history_falls_where_the_story_shares_it(story):
    """Calls the story shares fall where the notice in force names the operator for their
    country and an assignment period covers them; each held-back case has calls of its own."""
    from notices.models import NoticeVersion

    versions = {}
    for v in NoticeVersion.objects.order_by("effective_at"):
        versions.setdefault(v.tenant_id, []).append(v)
    assignments = {
        (a.tenant_id, a.operator_id): a
        for a in OperatorAssignment.objects.select_related("tenant", "operator")
    }
    periods = list(AssignmentPeriod.objects.all())
    held_back: dict[str, int] = {"not in the notice": 0, "closed": 0}
    for call in CallRecord.objects.all():
        a = assignments[call.tenant_id, call.operator_id]
        t, country = call.invite_time, call.tenant_country
        closed = closed_at(a)
        if closed is not None and t >= closed:
            held_back["closed"] += 1
            continue
        in_force = [v for v in versions[call.tenant_id] if v.effective_at <= t][-1]
        named = {o["slug"]: o["countries"] for o in in_force.configuration["operators"]}
        if (a.tenant.slug, a.operator.slug, country) == ("contoso", "northwave", "DE"):
            assert country not in named["northwave"]
            held_back["not in the notice"] += 1
            continue
        assert country in named.get(a.operator.slug, []), (call.pk, t, a)
        assert any(
            p.assignment_id == a.pk
            and p.started_at <= t
            and (p.ended_at is None or t < p.ended_at)
            and country in p.countries
            for p in periods
        ), (call.pk, t, a)
    assert held_back["not in the notice"] > 0
    closed_calls = {
        (a.tenant.slug, a.operator.slug)
        for a in assignments.values()
        if closed_at(a) is not None
        and CallRecord.objects.filter(
            tenant=a.tenant, operator=a.operator, invite_time__gte=closed_at(a)
        ).exists()
    }
    assert {("fabrikam", "meridian"), ("tailspin", "meridian")} <= closed_calls


def test_each_held_back_case_is_visible(story):
    from notices.models import NoticeVersion
    from notices.services import notice_status

    anchor = story
    # (a) A country added but not yet in a published notice.
    contoso = Tenant.objects.get(slug="contoso")
    northwave = assignment("contoso", "northwave")
    assert northwave.country_codes == ["DE", "GB", "IE"]
    current = NoticeVersion.objects.current_for(contoso)
    named = {o["slug"]: o["countries"] for o in current.configuration["operators"]}
    assert named["northwave"] == ["GB", "IE"]
    assert notice_status(contoso).out_of_date
    changed = AuditEvent.objects.get(
        tenant=contoso, operator=northwave.operator, action=AuditAction.ASSIGNMENT_COUNTRIES
    )
    assert days_before(anchor, changed.occurred_at) == 12
    assert current.effective_at < changed.occurred_at
    assert PhoneNumber.objects.filter(
        tenant=contoso, operator=northwave.operator, iso_country_code="DE"
    ).exists()
    # (b) A relationship the operator's admin set to "Contract terminated", with a reason.
    terminated = assignment("tailspin", "meridian")
    assert terminated.relationship_status == RelationshipStatus.TERMINATED
    assert terminated.relationship_reason
    assert terminated.relationship_changed_by.email == "maria@meridian.example"
    assert days_before(anchor, terminated.relationship_changed_at) == 15
    event = AuditEvent.objects.filter(
        tenant=terminated.tenant, action=AuditAction.RELATIONSHIP_CHANGED,
        details__status=RelationshipStatus.TERMINATED,
    ).get()  # fmt: skip
    assert event.occurred_at == terminated.relationship_changed_at
    assert event.actor_label == "Maria Marino"
    # (c) A suspended operator: its period ended with the suspension, on the story's day.
    suspended = assignment("fabrikam", "meridian")
    assert suspended.status == AssignmentStatus.SUSPENDED
    assert days_before(anchor, suspended.status_changed_at) == 20
    period = suspended.periods.get()
    assert (period.ended_at, period.end_reason) == (suspended.status_changed_at, "suspended")
