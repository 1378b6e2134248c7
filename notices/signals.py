"""The public notice learns at once when its tenant changes outside publishing.

Its cached state (current version, Operator Connect on or off, name) is dropped when publishing
commits (``notices.services``). A tenant row saved for any other reason — Operator Connect
switched on or off, a rename in the admin — drops it too, once that save commits; the cache's
short TTL is only a backstop now.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from notices import cache
from portal.models import Tenant


@receiver(post_save, sender=Tenant, dispatch_uid="notices.tenant_saved")
def forget_cached_state(sender, instance: Tenant, raw: bool = False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    slug = instance.slug
    transaction.on_commit(lambda: cache.invalidate_tenant(slug))
