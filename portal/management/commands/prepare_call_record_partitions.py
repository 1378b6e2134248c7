"""manage.py prepare_call_record_partitions: the slow, online half of migration 0018.

Run it before ``manage.py migrate`` on a large call-record table (docs/scaling.md): it builds
the indexes the partitioned table's keys need CONCURRENTLY and bounds the table's call times with
a validated CHECK, so the migration only renames, swaps constraints and attaches (a short lock).
"""

from django.core.management.base import BaseCommand

from portal import partitions


class Command(BaseCommand):
    help = "Prepare the call-record table for migration 0018 (monthly partitions), online."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months-ahead",
            type=int,
            default=2,
            help="the bound: the first of the month this many months after the current one "
            "(rows later than it are refused until the migration has run)",
        )

    def handle(self, *args, months_ahead: int, **options):
        steps = partitions.prepare_conversion(months_ahead)
        if not steps:
            self.stdout.write("Nothing to do: already prepared, partitioned, or not PostgreSQL.")
        for step in steps:
            self.stdout.write(f"{step.seconds:9.2f} s  {step.what}  ({step.lock})")
        self.stdout.write("Now run: manage.py migrate portal 0018")
