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
    # results ("you said, we did")
    RESULT_MANAGE = "results:result:manage"
    # codesign (from an accepted idea to work items and service changes)
    SERVICE_CHANGE_PROPOSE = "codesign:change:propose"
    SERVICE_CHANGE_ADOPT = "codesign:change:adopt"
    # budgets (participatory budgeting)
    BUDGET_MANAGE = "budgets:budget:manage"
    VOTER_VERIFY = "budgets:voter:verify"
    REGISTER_MANAGE = "budgets:register:manage"
    # surveys
    SURVEY_MANAGE = "surveys:survey:manage"
    # improvements (the backlog that turns insights into changes)
    IMPROVEMENT_READ = "improvements:item:read"
    IMPROVEMENT_MANAGE = "improvements:item:manage"
    # insights
    SCORECARD_READ = "insights:scorecard:read"
    THRESHOLD_MANAGE = "insights:threshold:manage"
    # perception (the staff survey; every employee answers without a role)
    PERCEPTION_MANAGE = "perception:round:manage"
    # community (the residents' survey; residents answer without a role)
    COMMUNITY_MANAGE = "community:round:manage"
    # read-side insights, each its own app; held by every role that reads the Scorecard
    DASHBOARD_READ = "dashboards:dashboard:read"
    HOTSPOT_READ = "hotspots:hotspot:read"
    TOPIC_READ = "topics:topic:read"
    FORECAST_READ = "forecasts:forecast:read"
    # open data (anonymised datasets, the DCAT-AP catalogue, the CKAN API)
    OPENDATA_MANAGE = "opendata:dataset:manage"
    # data protection (personal data in free text, data subjects' requests, retention)
    PRIVACY_MANAGE = "privacy:data:manage"
    # webhooks
    WEBHOOK_MANAGE = "webhooks:subscription:manage"


# Every staff role reads the catalogue and the cases (department-scoped, see cases.access), and
# the improvement backlog (anyone may be an item's owner).
_STAFF = {Perm.SERVICE_READ, Perm.REGULATION_READ, Perm.CASE_READ, Perm.IMPROVEMENT_READ}
# Officers verify voters at the counter (participatory budgets), as they assist filing there.
_OFFICER = _STAFF | {Perm.CASE_HANDLE, Perm.CASE_ASSIST, Perm.IDEA_EVALUATE, Perm.VOTER_VERIFY}
# Whoever reads the Scorecard reads the insights behind it: dashboards, hotspots, topics, forecasts.
_INSIGHTS = {
    Perm.SCORECARD_READ,
    Perm.DASHBOARD_READ,
    Perm.HOTSPOT_READ,
    Perm.TOPIC_READ,
    Perm.FORECAST_READ,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OFFICER: frozenset(_OFFICER),
    Role.SUPERVISOR: frozenset(
        _OFFICER
        | {
            Perm.CASE_ASSIGN,
            Perm.WORKLOAD_READ,
            Perm.RESPONSE_TEMPLATE_WRITE,
            Perm.IMPROVEMENT_MANAGE,
        }
        | _INSIGHTS
    ),
    Role.SERVICE_MANAGER: frozenset(
        _STAFF
        | {
            Perm.RESPONSE_TEMPLATE_WRITE,
            Perm.ROUTING_MANAGE,
            Perm.SERVICE_WRITE,
            Perm.TEMPLATE_WRITE,
            Perm.REGULATION_WRITE,
            # Service managers run co-design processes and answer ideas (DESIGN.md §2).
            Perm.PROCESS_MANAGE,
            Perm.IDEA_ANSWER,
            Perm.IDEA_EVALUATE,
            Perm.IDEA_MERGE,
            Perm.COMMENT_MODERATE,
            Perm.RESULT_MANAGE,
            Perm.SERVICE_CHANGE_PROPOSE,
            Perm.SERVICE_CHANGE_ADOPT,
            Perm.BUDGET_MANAGE,
            Perm.SURVEY_MANAGE,
            # Service managers own improvement items (DESIGN.md §2).
            Perm.IMPROVEMENT_MANAGE,
        }
        | _INSIGHTS
    ),
    # The data steward keeps the resident register (personal data, stored hashed).
    # They also decide what open data publishes, and how it is anonymised.
    Role.DATA_STEWARD: frozenset(
        _STAFF
        | {Perm.AUDIT_READ, Perm.REGISTER_MANAGE, Perm.OPENDATA_MANAGE, Perm.PRIVACY_MANAGE}
        | _INSIGHTS
    ),
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
            Perm.COMMENT_MODERATE,
            Perm.VOTER_VERIFY,
            Perm.REGISTER_MANAGE,
            Perm.PERCEPTION_MANAGE,
            Perm.COMMUNITY_MANAGE,
            Perm.IMPROVEMENT_MANAGE,
            Perm.THRESHOLD_MANAGE,
            Perm.OPENDATA_MANAGE,
            Perm.PRIVACY_MANAGE,
        }
        | _INSIGHTS
    ),
}


def roles_with(perm: Perm | str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def role_has(role: str, perm: Perm | str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
