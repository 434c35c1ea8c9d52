"""Reads of participation across a permission boundary: one helper per object type, answering
404 both for a missing object and for one the person may not see (existence never leaks).

Who sees a process:

- a published process for everyone (audience "public"): anyone, signed in or not;
- a published internal idea box (audience "employees"): the administration's staff only (a role
  there, or in the region that hosts it), never citizens nor another administration's staff;
- a published process for invited partner organisations: the administration's staff and the
  members of the organisations it invites;
- a draft: the staff who manage the administration's processes.

An idea, its attachments and its comments are seen by whoever sees its process. Staff screens
go through `get_administration_for_user` first (404 outside the person's administrations, 403
without the permission), then find the object inside that administration.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from insieme.core.access import (
    get_administration_for_user,
    get_scoped,
    has_perm,
    permissions_by_administration,
    require_perm,
)
from insieme.core.models import Administration, PartnerMember, PartnerOrganisation
from insieme.core.permissions import Perm
from insieme.participation.models import (
    Audience,
    Comment,
    Idea,
    IdeaAttachment,
    Process,
)

_PARTNERS_ATTR = "_insieme_partner_orgs"
# Staff screens of participation: any of these opens them (each form checks its own).
STAFF_PERMS = (Perm.IDEA_ANSWER, Perm.IDEA_EVALUATE, Perm.IDEA_MERGE)


def partner_org_ids(user) -> frozenset[int]:
    """The partner organisations the person is a member of (once per request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _PARTNERS_ATTR, None)
    if cached is None:
        cached = frozenset(
            PartnerMember.objects.filter(user=user).values_list("organisation_id", flat=True)
        )
        setattr(user, _PARTNERS_ATTR, cached)
    return cached


def forget_partners(user) -> None:
    if hasattr(user, _PARTNERS_ATTR):
        delattr(user, _PARTNERS_ATTR)


def is_staff_of(user, administration_id: int) -> bool:
    """The person holds a role in the administration (or in the region hosting it)."""
    return administration_id in permissions_by_administration(user)


def can_see_process(user, process: Process, invited_ids=None) -> bool:
    """`invited_ids`: the process's invited organisations, when the caller read them already."""
    admin_id = process.administration_id
    if not process.is_published:
        return has_perm(user, Perm.PROCESS_MANAGE, admin_id)
    if process.audience == Audience.PUBLIC:
        return True
    if is_staff_of(user, admin_id):
        return True
    if process.audience == Audience.PARTNERS:
        mine = partner_org_ids(user)
        if not mine:
            return False
        if invited_ids is None:
            invited_ids = set(process.invited_partners.values_list("pk", flat=True))
        return bool(mine & set(invited_ids))
    return False


def require(actor, perm: Perm, administration_id: int) -> None:
    """The check of every staff action of participation and of deliberation
    (core.access.require_perm)."""
    require_perm(actor, perm, administration_id)


def may_moderate(user, administration_id: int) -> bool:
    return has_perm(user, Perm.COMMENT_MODERATE, administration_id)


def can_see_idea(user, idea: Idea) -> bool:
    """Whoever sees its process; an idea held for review or hidden only its authors and the
    moderators."""
    if not can_see_process(user, idea.process):
        return False
    if idea.is_visible:
        return True
    signed_in = getattr(user, "is_authenticated", False)
    return (signed_in and idea.author_id == user.pk) or may_moderate(
        user, idea.process.administration_id
    )


def visible_processes(user) -> QuerySet[Process]:
    """Every process the person may see, as one query."""
    perms = permissions_by_administration(user)
    staff_ids = list(perms)
    manage_ids = [a for a, p in perms.items() if Perm.PROCESS_MANAGE in p]
    condition = Q(is_published=True, audience=Audience.PUBLIC)
    if staff_ids:
        condition |= Q(is_published=True, administration_id__in=staff_ids)
    if manage_ids:
        condition |= Q(administration_id__in=manage_ids)
    orgs = partner_org_ids(user)
    if orgs:
        invited = Process.invited_partners.through.objects.filter(
            partnerorganisation_id__in=orgs
        ).values("process_id")
        condition |= Q(is_published=True, audience=Audience.PARTNERS, pk__in=invited)
    return Process.objects.filter(condition)


def get_public_administration(admin_slug: str) -> Administration:
    admin = Administration.objects.filter(slug=admin_slug).first()
    if admin is None:
        raise Http404
    return admin


def get_process_for_user(user, admin_slug: str, process_slug: str) -> Process:
    process = (
        Process.objects.select_related("administration")
        .filter(administration__slug=admin_slug, slug=process_slug)
        .first()
    )
    if process is None or not can_see_process(user, process):
        raise Http404
    return process


def get_idea_for_user(user, process: Process, pk) -> Idea:
    """An idea of a process the caller got through `get_process_for_user`."""
    try:
        idea = (
            Idea.objects.select_related("author", "partner", "category", "merged_into")
            .filter(process=process)
            .get(pk=int(pk))
        )
    except (Idea.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    idea.process = process
    if not idea.is_visible and not can_see_idea(user, idea):
        raise Http404
    return idea


def get_attachment_for_user(user, idea: Idea, pk) -> IdeaAttachment:
    try:
        return IdeaAttachment.objects.filter(idea=idea).get(pk=int(pk))
    except (IdeaAttachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_comment_for_user(user, admin_slug: str, pk) -> Comment:
    """A comment as the readers of what it is on see it (hidden ones too: their page says why;
    held ones not at all). `comment.subject` is what it is on (threads.subject)."""
    from insieme.participation import threads

    try:
        comment = (
            Comment.objects.shown()
            .select_related(
                "administration", "process__administration", "idea__process__administration"
            )
            .filter(administration__slug=admin_slug)
            .get(pk=int(pk))
        )
    except (Comment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    obj = threads.subject(comment)
    if not threads.target_for(obj).can_see(user, obj):
        raise Http404
    comment.subject = obj
    return comment


# --- staff ----------------------------------------------------------------------------------------


def staff_administration(user, admin_slug: str, perms=STAFF_PERMS) -> Administration:
    """The administration for a staff screen that any of `perms` opens: 404 where the person has
    no role, 403 where their role holds none of them."""
    held = permissions_by_administration(user)
    admin = Administration.objects.filter(slug=admin_slug).first()
    if admin is None or admin.pk not in held:
        raise Http404
    if not any(p in held[admin.pk] for p in perms):
        raise PermissionDenied
    return admin


def get_staff_process(user, admin_slug: str, pk, perm: Perm = Perm.PROCESS_MANAGE):
    admin = get_administration_for_user(user, admin_slug, perm)
    process = get_scoped(Process.objects.select_related("administration"), admin, pk)
    return admin, process


def get_staff_idea(user, admin_slug: str, pk, perms=STAFF_PERMS) -> Idea:
    admin = staff_administration(user, admin_slug, perms)
    try:
        return (
            Idea.objects.select_related(
                "process__administration", "author", "partner", "category", "merged_into"
            )
            .filter(process__administration=admin)
            .get(pk=int(pk))
        )
    except (Idea.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_staff_comment(user, admin_slug: str, pk) -> Comment:
    admin = get_administration_for_user(user, admin_slug, Perm.COMMENT_MODERATE)
    return get_scoped(
        Comment.objects.select_related(
            "administration", "author", "process", "idea__process", "hidden_by"
        ),
        admin,
        pk,
    )


def eligible_partners(admin: Administration) -> QuerySet[PartnerOrganisation]:
    """Organisations a process of `admin` may invite: the administration's and those of the
    administrations hosting it (a region's partners work with its municipalities)."""
    ids, node = [], admin
    for _depth in range(6):
        if node is None:
            break
        ids.append(node.pk)
        node = node.parent
    return PartnerOrganisation.objects.filter(administration_id__in=ids)


def staff_evaluators(administration: Administration):
    """People who may evaluate ideas of the administration (for the assignment form): a role
    holding the permission there or in a region hosting it."""
    from insieme.core.models import Membership, User
    from insieme.core.permissions import roles_with

    admin_ids, node = [], administration
    for _depth in range(6):
        if node is None:
            break
        admin_ids.append(node.pk)
        node = node.parent
    user_ids = Membership.objects.filter(
        administration_id__in=admin_ids,
        is_active=True,
        role__in=roles_with(Perm.IDEA_EVALUATE),
    ).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name", "pk")
