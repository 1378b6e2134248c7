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


def navigation(request: HttpRequest) -> dict:
    """``can_switch``: the user has somewhere else to go (another tenant or an operator).

    Lazy: the query runs only on pages that show the switcher link. (The side-navigation item a
    page lights is the page's own ``nav_section``: control.base.Page.)
    """
    user = getattr(request, "user", None)
    return {"can_switch": SimpleLazyObject(lambda: user is not None and _has_elsewhere(user))}
