"""``manage.py seed_demo [--calls N] [--once]``: a realistic Operator Connect demo world.

Idempotent and deterministic: a second run adds nothing; ``--calls`` can grow the call records
later. ``make run`` uses ``--once`` so an existing demo is left exactly as it is.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from demo.seed import seed

DEFAULT_CALLS = 20_000


class Command(BaseCommand):
    help = "Create the demo world: tenants, operators, people, numbers and call records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--calls",
            type=int,
            default=DEFAULT_CALLS,
            help=f"How many call records the demo should hold (default {DEFAULT_CALLS:,}).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing if the demo world already exists.",
        )

    def handle(self, *args, calls: int, once: bool, **options) -> None:
        if calls < 0:
            raise CommandError("--calls must be zero or more.")
        # The story's people are fictional: the mails its steps would send (relationship
        # changes, finished exports) are kept in memory, not printed or sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            result = seed(calls, once=once)
        if result is None:
            self.stdout.write("The demo world already exists; nothing to do (--once).")
            return
        what = "Created the demo world" if result.world_created else "The demo world exists"
        added = result.calls_after - result.calls_before
        self.stdout.write(
            self.style.SUCCESS(
                f"{what}; call records: {result.calls_after:,} ({added:,} added) "
                f"in {result.seconds:.1f} s."
            )
        )
