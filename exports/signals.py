"""Masking on by default for tenants in countries where Microsoft masks (DE, FR, CH, …).

The foundation's ``Tenant.mask_external_digits`` defaults to False; a new tenant in one of
``portal.models.tenants.MASKING_COUNTRIES`` starts with it on. Admins can turn it off later.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from portal.models import Tenant
from portal.models.tenants import MASKING_COUNTRIES


@receiver(pre_save, sender=Tenant, dispatch_uid="exports.mask_by_default")
def mask_by_default(sender, instance: Tenant, raw: bool = False, **kwargs) -> None:
    if raw or not instance._state.adding:
        return
    if str(instance.country) in MASKING_COUNTRIES:
        instance.mask_external_digits = True
