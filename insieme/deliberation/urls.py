"""Deliberation's public pages under a process's address, its staff screens under the process's
staff address (see insieme.participation.urls, whose prefixes these extend)."""

from django.urls import path

from insieme.deliberation import views, views_staff

D = "participation/<slug:admin_slug>/<slug:process_slug>/deliberation/"
S = "staff/<slug:admin_slug>/participation/"
SD = S + "<id:pk>/deliberation/"

urlpatterns = [
    path(D, views.conversation_page, name="deliberation_conversation"),
    path(D + "report/", views.report, name="deliberation_report"),
    path(D + "statements/new/", views.statement_new, name="deliberation_statement_new"),
    path(D + "statements/<id:pk>/vote/", views.vote, name="deliberation_vote"),
    # staff
    path(
        S + "deliberation/moderation/",
        views_staff.moderation,
        name="staff_deliberation_moderation_all",
    ),
    path(SD, views_staff.conversation_edit, name="staff_deliberation"),
    path(SD + "statements/new/", views_staff.seed_new, name="staff_deliberation_seed"),
    path(
        SD + "statements/<id:statement_pk>/meta/",
        views_staff.statement_meta,
        name="staff_deliberation_meta",
    ),
    path(SD + "moderation/", views_staff.moderation, name="staff_deliberation_moderation"),
    path(
        SD + "moderation/<id:statement_pk>/",
        views_staff.moderate,
        name="staff_deliberation_moderate",
    ),
]
