from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.bench_privacy import bench_access


class Command(BaseCommand):
    help = "Time the data-subject access report on N seeded index rows (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=3_000_000)
        parser.add_argument("--audit-rows", type=int, default=1_000_000)

    def handle(self, *args, rows: int, audit_rows: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (DATABASE_URL).")
        bench_access(rows, self.stdout, audit_rows=audit_rows)
