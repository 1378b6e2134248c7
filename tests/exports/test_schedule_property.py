"""Property: scheduled runs tile the ingested stream — no gap, no overlap (docs/operator.md).

Hypothesis drives random histories through the real services: call records stored now (made
now, or late: made at an earlier moment of the history), beat ticks after random delays,
exports built by the real runner or failed on purpose, and gate changes (suspend, resume,
other countries, Operator Connect off and on, notices published). After every step the files
of the delivered runs are compared with an oracle written apart from the product: it keeps
its own ledger of what was stored when, asks ``tests/foundation/sharing_oracle.py`` whether
each record may reach the operator, and requires that

- the delivered windows follow one another from the schedule's start with no gap and no
  overlap,
- each delivered file holds exactly the ledger's shareable records stored in its window,
- no record is in two files, and every shareable record stored before the last delivered
  window's end is in one.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from exports import runner, schedules
from exports.choices import IN_FLIGHT, ExportStatus
from exports.models import ExportJob, ScheduleRun
from notices.services import publish_notice
from portal import services
from portal.choices import CompanySize, OperatorRole, TenantRole
from portal.errors import DomainError
from tests.exports.conftest import read_zip
from tests.factories import (
    CallRecordFactory,
    OperatorFactory,
    TenantFactory,
    UserFactory,
    membership,
    operator_membership,
)
from tests.foundation.sharing_oracle import Oracle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

COUNTRIES = ["GB", "DE", "FR"]
LAG = timedelta(minutes=5)
serial = itertools.count()
OUTCOMES = Counter()
HISTORIES = []  # one entry per history run, for the count printed at the end
STATS = {"delivered runs": 0, "records delivered": 0}


def _ids(job: ExportJob) -> list[str]:
    data = read_zip(job)["call_records.csv"].decode()
    return [row["call_id"] for row in csv.DictReader(io.StringIO(data))]


class ScheduleHistory(RuleBasedStateMachine):
    @initialize()
    def build(self):
        n = next(serial)
        HISTORIES.append(n)
        self.clock = timezone.now().replace(microsecond=0) + timedelta(hours=1)
        self.start = self.clock
        self.oracle = Oracle()
        self.admin = UserFactory(email=f"sadmin{n}@t.test")
        self.tenant = TenantFactory(name=f"S{n}", slug=f"s{n}", country="GB")
        membership(self.admin, self.tenant, TenantRole.ADMIN)
        self.operator = OperatorFactory(name=f"so-{n}", slug=f"so-{n}", countries=COUNTRIES)
        self.staff = UserFactory(email=f"so-{n}@op.test")
        operator_membership(self.staff, self.operator, OperatorRole.ADMIN)
        # ledger: call_id → (made at, country, stored at)
        self.ledger: dict[str, tuple] = {}
        self.files: dict = {}  # export id → call ids in its file
        self.counted: set = set()
        self._do("enable", lambda: services.enable_operator_connect(
            self.tenant, by=self.admin, acknowledged=True))  # fmt: skip
        self._do("assign", lambda: services.assign_operator(
            self.tenant, self.operator, countries=["GB", "DE"], contact_full_name="A",
            contact_email="a@t.test", company_size=CompanySize.S1_50, acknowledged=True,
            by=self.admin), operator="o", countries=["GB", "DE"])  # fmt: skip
        self._do("publish", lambda: publish_notice(self.tenant, by=self.admin))
        with time_machine.travel(self.clock, tick=False):
            self.schedule = schedules.create_schedule(
                self.operator, by=self.staff, name="feed", datasets=["call_records"],
                format="csv", cadence="hourly", minute=0, tenant=self.tenant,
            )  # fmt: skip

    def _do(self, kind: str, action, **data) -> None:
        """Run a gate change at the next instant; the oracle hears of it only if it took."""
        self.clock += timedelta(seconds=1)
        with time_machine.travel(self.clock, tick=False):
            try:
                action()
            except DomainError:
                return
        self.oracle.record(self.clock, kind, **data)

    def _assignment(self):
        return self.tenant.assignments.filter(operator=self.operator).first()

    # --- the stream ------------------------------------------------------------------------------

    @rule(late=st.floats(0, 1), countries=st.lists(st.sampled_from(COUNTRIES), min_size=1))
    def records_stored(self, late, countries):
        """Records stored now: made now, or made at an earlier moment (arriving late)."""
        past = (self.start + (self.clock - self.start) * late).replace(microsecond=0)
        for made in (past, self.clock):
            for country in countries:
                call_id = f"c{len(self.ledger)}"
                CallRecordFactory(
                    tenant=self.tenant, operator=self.operator, call_id=call_id,
                    invite_time=made, tenant_country=country, ingested_at=self.clock,
                )  # fmt: skip
                self.ledger[call_id] = (made, country, self.clock)

    @rule(minutes=st.integers(1, 150), then=st.sampled_from(["build", "build", "fail", "wait"]))
    def beat_tick(self, minutes, then):
        """Beat ticks after a while; the run's export is then built, fails, or waits."""
        self.clock += timedelta(minutes=minutes)
        with time_machine.travel(self.clock, tick=False):
            schedules.run_due_schedules(now=self.clock)
        if then != "wait":
            self.workers_run(fail=then == "fail")

    @rule()
    def manual_run(self):
        self.clock += timedelta(seconds=30)
        with time_machine.travel(self.clock, tick=False):
            schedules.run_schedule(self.schedule.pk, now=self.clock, manual=True, by=self.staff)

    @rule(fail=st.booleans())
    def workers_run(self, fail):
        """Every queued run's export is built by the real runner — or fails on purpose."""
        self.clock += timedelta(seconds=5)
        with time_machine.travel(self.clock, tick=False):
            for job in ExportJob.objects.filter(schedule=self.schedule, status__in=IN_FLIGHT):
                if fail:
                    runner.fail(job, None, "The worker crashed.", reason="test")
                else:
                    runner.run_export(job.pk)

    # --- the gate --------------------------------------------------------------------------------

    # One rule for every gate change, so that they come about as often as the stream's steps
    # (four separate rules would shut the gate most of the time and deliver little).
    @rule(
        change=st.sampled_from(["suspend", "resume", "countries", "off", "on", "publish"]),
        countries=st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True),
    )
    def gate_change(self, change, countries):
        a = self._assignment()
        if change in ("suspend", "resume"):
            service = {"suspend": services.suspend_assignment, "resume": services.resume_assignment}
            self._do(change, lambda: service[change](a, by=self.admin), operator="o")
        elif change == "countries":
            self._do("countries", lambda: services.change_assignment_countries(
                a, countries=countries, by=self.admin), operator="o", countries=countries)  # fmt: skip
        elif change == "on":
            self._do("enable", lambda: services.enable_operator_connect(
                self.tenant, by=self.admin, acknowledged=True))  # fmt: skip
        elif change == "off":
            self._do("disable", lambda: services.disable_operator_connect(
                self.tenant, by=self.admin))  # fmt: skip
        else:
            self._do("publish", lambda: publish_notice(self.tenant, by=self.admin))

    # --- the property ----------------------------------------------------------------------------

    @invariant()
    def delivered_runs_tile_the_stream(self):
        delivered = list(
            ScheduleRun.objects.filter(
                schedule=self.schedule, export__status=ExportStatus.SUCCEEDED
            ).order_by("window_start")
        )
        for run in ScheduleRun.objects.filter(schedule=self.schedule).exclude(pk__in=self.counted):
            self.counted.add(run.pk)
            OUTCOMES["runs"] += 1
        edge = self.schedule.starts_at
        seen: set[str] = set()
        for run in delivered:
            assert run.window_start == edge, "a gap or an overlap between delivered windows"
            assert run.window_end > run.window_start
            if run.export_id not in self.files:
                self.files[run.export_id] = _ids(run.export)
                STATS["delivered runs"] += 1
                STATS["records delivered"] += len(self.files[run.export_id])
            got = self.files[run.export_id]
            assert len(got) == len(set(got))
            expected = {
                call_id
                for call_id, (made, country, stored) in self.ledger.items()
                if run.window_start <= stored < run.window_end
                and self.oracle.shared("o", made, country)
            }
            assert set(got) == expected, (run.window_start, run.window_end)
            assert not seen & set(got), "a record delivered twice"
            seen |= set(got)
            edge = run.window_end
        everything = {
            call_id
            for call_id, (made, country, stored) in self.ledger.items()
            if self.schedule.starts_at <= stored < edge and self.oracle.shared("o", made, country)
        }
        assert seen == everything, "a shareable record stored before the watermark was missed"
        assert (
            ScheduleRun.objects.filter(
                schedule=self.schedule, export__status__in=list(IN_FLIGHT)
            ).count()
            <= 1
        )


ScheduleHistory.TestCase.settings = settings(
    max_examples=int(os.environ.get("SCHEDULE_HISTORIES", "30")),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SCHEDULE_SAFETY_LAG_SECONDS = int(LAG.total_seconds())
    settings.EXPORT_RATE_PER_HOUR = 100000


class TestScheduleHistory(ScheduleHistory.TestCase):
    pass


def test_histories_were_run():
    """Runs after the property (file order): says how many histories it drove."""
    print(
        f"\nschedule property: {len(HISTORIES)} histories, {OUTCOMES['runs']} runs recorded, "
        f"{STATS['delivered runs']} delivered, {STATS['records delivered']} records delivered"
    )
