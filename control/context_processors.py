"""Template context for the layout (base.html)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.models import Operator, Tenant


def _has_elsewhere(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    tenants = Tenant.objects.visible_to(user).values("pk")[:2]
    return len(tenants) > 1 or Operator.objects.staffed_by(user).exists()


# Pages of the notices and exports apps → the side-navigation item they belong to (docs/ui.md).
NAV_SECTIONS = {
    "notices:status": "notice",
    "notices:publish": "notice",
    "notices:settings": "notice",
    "notices:history": "notice_history",
    "notices:version": "notice_history",
    "notices:diff": "notice_history",
    "exports:tenant_exports": "exports",
    "exports:tenant_export_new": "exports",
    "exports:tenant_export": "exports",
    "exports:tenant_shared": "shared",
    "operator:home": "operator_home",
    "operator:relationship": "operator_home",
    "operator:exports": "operator_exports",
    "operator:export_new": "operator_exports",
    "operator:export": "operator_exports",
    "tokens": "tokens",
    "operator:schedules": "operator_schedules",
    "operator:schedule_new": "operator_schedules",
    "operator:schedule": "operator_schedules",
    "operator:webhooks": "operator_webhooks",
    "operator:webhook_new": "operator_webhooks",
    "operator:webhook": "operator_webhooks",
}


def navigation(request: HttpRequest) -> dict:
    """``can_switch``: the user has somewhere else to go (another tenant or an operator);
    ``nav_section``: the side-navigation item of this page, marked ``aria-current``.

    Lazy: the query runs only on pages that show the switcher link.
    """
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    section = NAV_SECTIONS.get(match.view_name, "") if match else ""
    return {
        "can_switch": SimpleLazyObject(lambda: user is not None and _has_elsewhere(user)),
        "nav_section": section,
    }
