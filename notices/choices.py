"""Enumerations of the notice. Values are stored in settings and versions; labels are shown."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """Why the organization may have Microsoft share the data (GDPR Art. 6(1))."""

    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (Art. 6(1)(f))")
    CONTRACT = "contract", _("Performance of a contract (Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
