from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.bench_privacy import bench_retention


class Command(BaseCommand):
    help = "Measure the retention purge on N seeded call records (PostgreSQL; scratch tenant)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)

    def handle(self, *args, rows: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (DATABASE_URL).")
        bench_retention(rows, self.stdout)
