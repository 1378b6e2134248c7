"""Every write is a named service function. Views, serializers, commands and tasks call these."""

from portal.services.assignments import (
    assign_operator,
    change_assignment_contact,
    change_assignment_countries,
    remove_assignment,
    resume_assignment,
    set_relationship_status,
    suspend_assignment,
)
from portal.services.audit import record_event
from portal.services.members import (
    add_member,
    add_operator_member,
    change_member_role,
    change_operator_member_role,
    remove_member,
    remove_operator_member,
)
from portal.services.operator_connect import disable_operator_connect, enable_operator_connect

__all__ = [
    "add_member",
    "add_operator_member",
    "assign_operator",
    "change_assignment_contact",
    "change_assignment_countries",
    "change_member_role",
    "change_operator_member_role",
    "disable_operator_connect",
    "enable_operator_connect",
    "record_event",
    "remove_assignment",
    "remove_member",
    "remove_operator_member",
    "resume_assignment",
    "set_relationship_status",
    "suspend_assignment",
]
