"""Personal data that must never reach a log line (invariant I8), and views that leak it."""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.urls import path

PHONE = "+4930123456789"
NATIONAL_PHONE = "030 9876 5432"
SIP = "sip:kanarienvogel@contoso.example"
IPV4 = "198.51.100.23"
IPV6 = "2001:db8:85a3::8a2e:370:7334"
STREET = "Kanarienweg"  # 12 Kanarienweg (Hinterhaus), Berlin

# What is searched for in the captured lines: each canary and its distinctive parts.
NEEDLES = [PHONE, PHONE[1:], "30123456789", NATIONAL_PHONE, "9876 5432", SIP, "kanarienvogel",
           IPV4, "198.51.100", IPV6, "8a2e:370:7334", STREET, "Hinterhaus", "Kanarienhof"]  # fmt: skip


@login_not_required
def explode(request, value):
    raise RuntimeError(
        f"cannot route call {value} via {SIP} from {IPV4} / {IPV6} (national {NATIONAL_PHONE})"
    )


@login_not_required
def failing_insert(request):
    from portal.models import EmergencyLocation, Tenant

    with transaction.atomic():  # keeps the test's own transaction usable
        EmergencyLocation.objects.create(
            tenant=Tenant.objects.get(slug="contoso"),
            company_name="Contoso",
            house_number="12",
            street_name=STREET,
            place_name="Hinterhaus",
            city="Berlin",
            country="DE",
            latitude="91",
            elin=PHONE,
        )


urlpatterns = [
    path("explode/<str:value>/", explode),
    path("insert/", failing_insert),
]
