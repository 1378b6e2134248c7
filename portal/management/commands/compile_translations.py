"""Compile every locale/*/LC_MESSAGES/*.po to .mo with Babel: no GNU gettext needed."""

from django.core.management.base import BaseCommand

from portal.translations import catalogues, compile_catalogue


class Command(BaseCommand):
    help = "Compile the message catalogues (.po → .mo) in pure Python."
    # The start-up check portal.E100 would refuse to run the very command that fixes it.
    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        for lang, po in catalogues():
            mo = compile_catalogue(po)
            self.stdout.write(f"{lang}: {mo}")
