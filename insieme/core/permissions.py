"""Permission names (`scope:resource:action`) in one enum, and the roles that hold them.

Each app claims the permissions it owns from its AppConfig (see `registry.register_permissions`);
the tests walk the whole role x permission matrix against the screens that check them.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    DATA_STEWARD = "data_steward", _("Data steward")
    ADMINISTRATOR = "administrator", _("Administrator")


class Perm(StrEnum):
    # core
    ADMINISTRATION_UPDATE = "core:administration:update"
    DEPARTMENT_MANAGE = "core:department:manage"
    MEMBERSHIP_MANAGE = "core:membership:manage"
    PARTNER_MANAGE = "core:partner:manage"
    APIKEY_MANAGE = "core:apikey:manage"
    AUDIT_READ = "core:audit:read"
    # catalog
    SERVICE_READ = "catalog:service:read"
    SERVICE_WRITE = "catalog:service:write"
    TEMPLATE_WRITE = "catalog:template:write"
    REGULATION_READ = "catalog:regulation:read"
    REGULATION_WRITE = "catalog:regulation:write"
    # cases (staff side; citizens act on their own cases without a role)
    CASE_READ = "cases:case:read"
    CASE_HANDLE = "cases:case:handle"
    CASE_ASSIGN = "cases:case:assign"
    CASE_ASSIST = "cases:case:assist"
    WORKLOAD_READ = "cases:workload:read"
    RESPONSE_TEMPLATE_WRITE = "cases:template:write"
    ROUTING_MANAGE = "cases:routing:manage"
    # participation (staff side; citizens, employees and partners take part without a role)
    PROCESS_MANAGE = "participation:process:manage"
    IDEA_ANSWER = "participation:idea:answer"
    IDEA_EVALUATE = "participation:idea:evaluate"
    IDEA_MERGE = "participation:idea:merge"
    COMMENT_MODERATE = "participation:comment:moderate"
    # insights
    SCORECARD_READ = "insights:scorecard:read"
    # webhooks
    WEBHOOK_MANAGE = "webhooks:subscription:manage"


# Every staff role reads the catalogue and the cases (department-scoped, see cases.access).
_STAFF = {Perm.SERVICE_READ, Perm.REGULATION_READ, Perm.CASE_READ}
_OFFICER = _STAFF | {Perm.CASE_HANDLE, Perm.CASE_ASSIST, Perm.IDEA_EVALUATE}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OFFICER: frozenset(_OFFICER),
    Role.SUPERVISOR: frozenset(
        _OFFICER
        | {
            Perm.CASE_ASSIGN,
            Perm.WORKLOAD_READ,
            Perm.RESPONSE_TEMPLATE_WRITE,
            Perm.SCORECARD_READ,
        }
    ),
    Role.SERVICE_MANAGER: frozenset(
        _STAFF
        | {
            Perm.RESPONSE_TEMPLATE_WRITE,
            Perm.ROUTING_MANAGE,
            Perm.SERVICE_WRITE,
            Perm.TEMPLATE_WRITE,
            Perm.REGULATION_WRITE,
            Perm.SCORECARD_READ,
            # Service managers run co-design processes and answer ideas (DESIGN.md §2).
            Perm.PROCESS_MANAGE,
            Perm.IDEA_ANSWER,
            Perm.IDEA_EVALUATE,
            Perm.IDEA_MERGE,
            Perm.COMMENT_MODERATE,
        }
    ),
    Role.DATA_STEWARD: frozenset(_STAFF | {Perm.AUDIT_READ, Perm.SCORECARD_READ}),
    Role.ADMINISTRATOR: frozenset(
        _STAFF
        | {
            Perm.CASE_ASSIGN,
            Perm.WORKLOAD_READ,
            Perm.ROUTING_MANAGE,
            Perm.ADMINISTRATION_UPDATE,
            Perm.DEPARTMENT_MANAGE,
            Perm.MEMBERSHIP_MANAGE,
            Perm.PARTNER_MANAGE,
            Perm.APIKEY_MANAGE,
            Perm.WEBHOOK_MANAGE,
            Perm.AUDIT_READ,
            Perm.SCORECARD_READ,
            Perm.COMMENT_MODERATE,
        }
    ),
}


def roles_with(perm: Perm | str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def role_has(role: str, perm: Perm | str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
