"""Confirmation messages shared by the tenant and operator member pages."""

from django.utils.translation import gettext, pgettext

from portal.models import Membership, OperatorMembership


def role_in_sentence(membership: Membership | OperatorMembership) -> str:
    """The role as a word inside a sentence: "admin" in English, "Administrator" in German."""
    return pgettext("role in a sentence", membership.role)


def added_message(membership: Membership | OperatorMembership) -> str:
    """ "X is now a member with the role Y." — and, for someone new, that they were invited."""
    text = gettext("%(name)s is now a member with the role %(role)s.") % {
        "name": membership.user.display_name,
        "role": role_in_sentence(membership),
    }
    if not membership.user.has_usable_password():
        text += " " + gettext("We e-mailed them a link to set a password.")
    return text


def role_changed_message(membership: Membership | OperatorMembership) -> str:
    return gettext("%(name)s is now %(role)s.") % {
        "name": membership.user.display_name,
        "role": role_in_sentence(membership),
    }
