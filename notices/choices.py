"""Enumerations of the notice. Values are stored in settings and versions; labels are shown."""

from django.db import models


class LegalBasis(models.TextChoices):
    """Why the organization may have Microsoft share the data (GDPR Art. 6(1))."""

    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"
    CONTRACT = "contract", "Performance of a contract (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
