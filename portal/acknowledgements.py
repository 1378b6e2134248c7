"""The data-transfer texts a tenant admin acknowledges (invariant I4).

Each text has a version; the version and the text's SHA-256 are recorded with every
acknowledgement, so we can always show exactly what a person agreed to. Change the text → bump
the version; never edit a published version in place.
"""

import hashlib
from dataclasses import dataclass

from portal.models import Acknowledgement


@dataclass(frozen=True)
class AcknowledgementText:
    kind: str
    version: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


DATA_CATEGORIES = [
    "your users' phone numbers and, where one exists, the Microsoft-assigned SIP URI of each number;",
    "call details and call quality data: caller and callee numbers, call invite and end times, "
    "certain caller identifiers, call duration, and service connection information such as the "
    "IP addresses and operating systems of the caller and the callee;",
    "emergency calling location information.",
]

_SHARED = (
    "When Operator Connect is enabled, Microsoft shares the following personal data of your "
    "organization's Teams users with each operator you choose, to make the service work and for "
    "troubleshooting:\n- "
    + "\n- ".join(DATA_CATEGORIES)
    + "\nOperators can export and download this information. Each operator handles it under its "
    "own privacy policy and terms of use. Microsoft is the controller of the personal data it "
    "processes in connection with Operator Connect. You must tell your end users about this "
    "transfer; this portal publishes that notice for you."
)

ENABLE_TEXT = AcknowledgementText(
    kind=Acknowledgement.Kind.ENABLE,
    version="enable-2026-11",
    text="I understand and accept this data transfer for my organization.\n\n" + _SHARED,
)
ASSIGN_TEXT = AcknowledgementText(
    kind=Acknowledgement.Kind.ASSIGN,
    version="assign-2026-11",
    text="I accept the data transfer notice for this operator.\n\n" + _SHARED,
)

TEXTS = {t.version: t for t in (ENABLE_TEXT, ASSIGN_TEXT)}
