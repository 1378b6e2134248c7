"""Each number keeps a history of (operator, user) periods, turned over at ingestion time."""

from datetime import UTC, datetime

import time_machine

from portal.models import PhoneNumber, PhoneNumberPeriod
from tests.factories import PhoneNumberFactory
from tests.ingest.conftest import csv_bytes, number_row, run

T1 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
T3 = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
T4 = datetime(2026, 2, 4, 9, 0, tzinfo=UTC)


def _ingest_at(moment, engine, **values):
    with time_machine.travel(moment, tick=False):
        report = run("numbers", csv_bytes([number_row(**values)]), "csv", engine)
    assert report.ok
    return report


def _history():
    number = PhoneNumber.objects.get(telephone_number="+442079460001")
    return [
        (p.operator.slug, p.assigned_upn, p.started_at, p.ended_at)
        for p in number.periods.select_related("operator").order_by("started_at")
    ]


def test_periods_open_for_new_numbers_and_turn_over_on_operator_or_user_change(
    world, engine, operator_u_assigned
):
    _ingest_at(T1, engine)
    assert _history() == [("operator-o", "ann@contoso.example", T1, None)]

    _ingest_at(T2, engine, city="Leeds")  # neither operator nor user changed
    assert _history() == [("operator-o", "ann@contoso.example", T1, None)]

    _ingest_at(T3, engine, city="Leeds", assigned_upn="bob@contoso.example")
    assert _history() == [
        ("operator-o", "ann@contoso.example", T1, T3),
        ("operator-o", "bob@contoso.example", T3, None),
    ]

    _ingest_at(T4, engine, city="Leeds", assigned_upn="bob@contoso.example", operator="operator-u")
    assert _history() == [
        ("operator-o", "ann@contoso.example", T1, T3),
        ("operator-o", "bob@contoso.example", T3, T4),
        ("operator-u", "bob@contoso.example", T4, None),
    ]


def test_an_unchanged_file_opens_no_period(world, engine):
    _ingest_at(T1, engine)
    _ingest_at(T2, engine)

    assert PhoneNumberPeriod.objects.count() == 1


def test_a_number_stored_before_gets_its_first_period_when_it_changes(world, engine):
    PhoneNumberFactory(
        telephone_number="+442079460001",
        tenant=world.tenant_a,
        operator=world.operator_o,
        assigned_upn="old@contoso.example",
    )

    _ingest_at(T1, engine)

    assert _history() == [("operator-o", "ann@contoso.example", T1, None)]
