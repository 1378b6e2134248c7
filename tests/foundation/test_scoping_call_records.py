"""I2 for call records: exactly the records an operator may receive, against a hand-built history.

The history is built through the services at chosen instants (time_machine), so the periods are
the ones production writes. Day N means ``D + N days``. Tenant A:

    day 0  enables Operator Connect
    day 1  assigns operator O for GB and DE
    day 5  suspends O                         day 7  resumes O
    day 10 disables Operator Connect          day 12 enables it again
    day 15 changes O's countries to GB and FR
    day 20 removes O                          day 25 adds O again, for FR only

Tenant B assigns O for DE on day 1 and enables Operator Connect on day 3. Operator U is never
assigned by anyone but carries some of A's calls.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal import services
from portal.models import CallRecord
from portal.querysets import share_windows
from tests.factories import (
    CallRecordFactory,
    OperatorFactory,
    TenantFactory,
    UserFactory,
    membership,
    tell_users,
)

D = datetime(2025, 1, 6, tzinfo=UTC)
US = timedelta(microseconds=1)


def day(n: float) -> datetime:
    return D + timedelta(days=n)


def at(instant, call, *args, **kwargs):
    with time_machine.travel(instant, tick=False):
        return call(*args, **kwargs)


def _assign(tenant, operator, countries, by):
    return services.assign_operator(
        tenant,
        operator,
        countries=countries,
        contact_full_name="Admin",
        contact_email="admin@example.test",
        company_size="1-50",
        acknowledged=True,
        by=by,
    )


# (label, tenant, operator, day, country) → in O's share of A?
CALLS = [
    ("a_before_enable", "A", "O", -1, "GB"),
    ("a_enabled_not_yet_assigned", "A", "O", 0.5, "GB"),
    ("a_at_assign_instant", "A", "O", 1, "GB"),
    ("a_active_gb", "A", "O", 2, "GB"),
    ("a_active_de", "A", "O", 2, "DE"),
    ("a_active_fr_not_assigned", "A", "O", 2, "FR"),
    ("a_last_microsecond_before_suspend", "A", "O", 5 - US / timedelta(days=1), "GB"),
    ("a_at_suspend_instant", "A", "O", 5, "GB"),
    ("a_while_suspended", "A", "O", 6, "DE"),
    ("a_after_resume", "A", "O", 8, "DE"),
    ("a_disabled_gap", "A", "O", 11, "GB"),
    ("a_after_reenable", "A", "O", 13, "DE"),
    ("a_fr_before_change", "A", "O", 14, "FR"),
    ("a_de_after_change", "A", "O", 16, "DE"),
    ("a_fr_after_change", "A", "O", 16, "FR"),
    ("a_gb_after_change", "A", "O", 16, "GB"),
    ("a_after_remove", "A", "O", 21, "FR"),
    ("a_gb_after_readd", "A", "O", 26, "GB"),
    ("a_fr_after_readd", "A", "O", 26, "FR"),
    ("a_operator_u", "A", "U", 2, "GB"),
    ("a_operator_u_later", "A", "U", 16, "FR"),
    ("b_assigned_not_yet_enabled", "B", "O", 2, "DE"),
    ("b_active_de", "B", "O", 4, "DE"),
    ("b_active_gb_not_assigned", "B", "O", 4, "GB"),
    ("b_operator_u", "B", "U", 4, "DE"),
]

O_SHARE_OF_A = [
    "a_active_de",
    "a_active_gb",
    "a_after_reenable",
    "a_after_resume",
    "a_at_assign_instant",
    "a_fr_after_change",
    "a_fr_after_readd",
    "a_gb_after_change",
    "a_last_microsecond_before_suspend",
]


@pytest.fixture
def history(db):
    alice, bob = UserFactory(full_name="Alice"), UserFactory(full_name="Bob")
    a = TenantFactory(name="Tenant A", slug="tenant-a")
    b = TenantFactory(name="Tenant B", slug="tenant-b")
    membership(alice, a)
    membership(bob, b)
    o = OperatorFactory(name="O", slug="o", countries=["GB", "DE", "FR"])
    u = OperatorFactory(name="U", slug="u", countries=["GB", "DE", "FR"])

    # Each change is told to users at once (a notice published at the same instant), so the
    # windows here are those of the assignment and enablement periods; the notice's own part
    # of the rule is tested in tests/foundation/test_sharing_gate.py.
    at(day(0), services.enable_operator_connect, a, by=alice, acknowledged=True)
    assignment = at(day(1), _assign, a, o, ["GB", "DE"], alice)
    at(day(1), tell_users, a, alice)
    at(day(5), services.suspend_assignment, assignment, by=alice)
    at(day(7), services.resume_assignment, assignment, by=alice)
    at(day(10), services.disable_operator_connect, a, by=alice)
    at(day(10), tell_users, a, alice)
    at(day(12), services.enable_operator_connect, a, by=alice, acknowledged=True)
    at(day(12), tell_users, a, alice)
    at(day(15), services.change_assignment_countries, assignment, countries=["GB", "FR"], by=alice)
    at(day(15), tell_users, a, alice)
    at(day(20), services.remove_assignment, assignment, by=alice)
    at(day(20), tell_users, a, alice)
    at(day(25), _assign, a, o, ["FR"], alice)
    at(day(25), tell_users, a, alice)

    at(day(1), _assign, b, o, ["DE"], bob)
    at(day(3), services.enable_operator_connect, b, by=bob, acknowledged=True)
    at(day(3), tell_users, b, bob)

    names = {"A": a, "B": b, "O": o, "U": u}
    for label, tenant, operator, n, country in CALLS:
        CallRecordFactory(
            call_id=label,
            tenant=names[tenant],
            operator=names[operator],
            invite_time=day(n),
            tenant_country=country,
        )
    return names


def shared(operator, tenant, **window) -> list[str]:
    qs = CallRecord.objects.shareable_with(operator, tenant, **window)
    return sorted(qs.values_list("call_id", flat=True))


def test_the_history_produces_these_share_windows(history):
    windows = [
        (w.start, w.end, sorted(w.countries)) for w in share_windows(history["A"], history["O"])
    ]
    assert windows == [
        (day(1), day(5), ["DE", "GB"]),
        (day(7), day(10), ["DE", "GB"]),
        (day(12), day(15), ["DE", "GB"]),
        (day(15), day(20), ["FR", "GB"]),
        (day(25), None, ["FR"]),
    ]


def test_the_operator_receives_exactly_its_records_inside_active_periods_and_countries(history):
    assert shared(history["O"], history["A"]) == O_SHARE_OF_A


def test_tenant_and_operator_may_be_given_as_ids(history):
    assert shared(history["O"].pk, history["A"].pk) == O_SHARE_OF_A


def test_records_of_another_tenant_never_leak_into_a_tenants_share(history):
    assert shared(history["O"], history["B"]) == ["b_active_de"]
    assert not {c for c in shared(history["O"], history["A"]) if c.startswith("b_")}


def test_an_operator_never_assigned_receives_nothing_even_for_records_it_carried(history):
    assert shared(history["U"], history["A"]) == []
    assert shared(history["U"], history["B"]) == []
    assert CallRecord.objects.filter(operator=history["U"]).count() == 3


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # [start, end) clips the windows; both bounds exact to the microsecond.
        (day(2), day(9), ["a_active_de", "a_active_gb", "a_after_resume",
                          "a_last_microsecond_before_suspend"]),
        (day(2) + US, day(9), ["a_after_resume", "a_last_microsecond_before_suspend"]),
        (None, day(2), ["a_at_assign_instant"]),
        (day(1), day(2), ["a_at_assign_instant"]),
        (day(1) + US, day(2), []),
        (day(16), None, ["a_fr_after_change", "a_fr_after_readd", "a_gb_after_change"]),
        (day(10), day(12), []),  # Operator Connect was disabled
        (day(5), day(7), []),  # the assignment was suspended
        (day(20), day(25), []),  # the operator was removed
        (day(9), day(2), []),  # an inverted range is empty, not an error
        (day(2), day(2), []),
    ],
)  # fmt: skip
def test_a_time_range_clips_the_share_to_start_inclusive_end_exclusive(
    history, start, end, expected
):
    assert shared(history["O"], history["A"], start=start, end=end) == expected


def test_after_a_countries_change_old_records_keep_the_old_scope_and_new_ones_the_new(history):
    share = shared(history["O"], history["A"])
    assert "a_active_de" in share and "a_after_reenable" in share  # DE before the change
    assert "a_de_after_change" not in share
    assert "a_fr_before_change" not in share and "a_fr_after_change" in share


def test_records_while_operator_connect_was_disabled_between_two_enabled_spans_are_excluded(
    history,
):
    share = shared(history["O"], history["A"])
    assert "a_disabled_gap" not in share
    assert {"a_after_resume", "a_after_reenable"} <= set(share)


def test_a_tenant_that_assigned_before_enabling_shares_only_from_enabling(history):
    assert shared(history["O"], history["B"], end=day(3)) == []
    assert shared(history["O"], history["B"], start=day(3)) == ["b_active_de"]


def test_the_share_uses_the_tenant_side_country_and_invite_time_only(history):
    # The external country and the end time are not part of the rule.
    CallRecord.objects.filter(call_id="a_active_gb").update(external_country="US", end_time=day(30))
    CallRecordFactory(
        call_id="a_ends_after_suspend",
        tenant=history["A"],
        operator=history["O"],
        invite_time=day(5) - timedelta(minutes=1),
        start_time=day(5) - timedelta(seconds=30),
        end_time=day(5) + timedelta(hours=1),
        tenant_country="GB",
    )
    assert shared(history["O"], history["A"]) == sorted(O_SHARE_OF_A + ["a_ends_after_suspend"])
