"""``manage.py demo_logins``: who you can sign in as in the demo, and where to go."""

from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from demo.catalog import DEMO_PASSWORD, DEMO_TOTP_KEY, PEOPLE, Person
from demo.world import world_exists
from portal.models import User


def places(person: Person) -> str:
    """Where this person starts: their tenants, operators, or the admin site."""
    if person.staff:
        return "/admin/"
    paths = [f"/t/{slug}/" for slug, _ in person.tenants]
    paths += [f"/o/{slug}/" for slug, _ in person.operators]
    return "  ".join(paths)


class Command(BaseCommand):
    help = "Print the demo logins (run `manage.py seed_demo` first)."

    def handle(self, *args, **options) -> None:
        if not world_exists():
            self.stdout.write("No demo world yet. Run `manage.py seed_demo` first.")
            return
        present = set(
            User.objects.filter(email__in=[p.email for p in PEOPLE], is_active=True).values_list(
                "email", flat=True
            )
        )
        people = [p for p in PEOPLE if p.email in present]
        header = ("E-mail", "Who", "Go to")
        rows = [(p.email, p.who, places(p)) for p in people]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]

        def line(cells) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(f"Demo logins — every password is: {DEMO_PASSWORD}")
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/")
        self.stdout.write(line(header))
        self.stdout.write(line("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line(row))
        key = unhexlify(DEMO_TOTP_KEY)
        self.stdout.write(
            "Operator users and staff confirm sign-in with a second factor (docs/mfa.md): add the "
            f"key {b32encode(key).decode()} to an authenticator app, or type the code "
            f"{TOTP(key).token():06d} (valid for up to 30 seconds; run this command again)."
        )
