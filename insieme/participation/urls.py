"""Public pages of participation under /participation/, staff screens under /staff/."""

from django.urls import path

from insieme.participation import views, views_staff

A = "participation/<slug:admin_slug>/"
P = A + "<slug:process_slug>/"
I = P + "ideas/<id:pk>/"  # noqa: E741 - the idea's prefix, as A and P are the others'
S = "staff/<slug:admin_slug>/participation/"

urlpatterns = [
    path("participation/", views.index, name="participation_index"),
    path(A, views.process_list, name="participation_processes"),
    path(A + "comments/<id:pk>/reply/", views.comment_reply, name="participation_comment_reply"),
    path(A + "comments/<id:pk>/report/", views.comment_flag, name="participation_comment_flag"),
    path(
        "participation/threads/<str:key>/<id:pk>/comments/",
        views.thread_comment,
        name="participation_thread_comment",
    ),
    path(P, views.process_page, name="participation_process"),
    path(P + "follow/", views.process_follow, name="participation_process_follow"),
    path(P + "unfollow/", views.process_unfollow, name="participation_process_unfollow"),
    path(P + "comments/", views.process_comment, name="participation_process_comment"),
    path(P + "ideas/", views.idea_list, name="participation_ideas"),
    path(P + "ideas/new/", views.idea_new, name="participation_idea_new"),
    path(I, views.idea_page, name="participation_idea"),
    path(I + "support/", views.idea_support, name="participation_idea_support"),
    path(I + "unsupport/", views.idea_unsupport, name="participation_idea_unsupport"),
    path(I + "follow/", views.idea_follow, name="participation_idea_follow"),
    path(I + "unfollow/", views.idea_unfollow, name="participation_idea_unfollow"),
    path(I + "comments/", views.idea_comment, name="participation_idea_comment"),
    path(I + "coauthors/", views.idea_coauthor, name="participation_idea_coauthor"),
    path(I + "coauthors/accept/", views.idea_coauthor_accept, name="participation_idea_accept"),
    path(
        I + "attachments/<id:file_pk>/",
        views.idea_attachment,
        name="participation_idea_attachment",
    ),
    # staff
    path(S, views_staff.process_list, name="staff_participation"),
    path(S + "new/", views_staff.process_new, name="staff_participation_new"),
    path(S + "ideas/", views_staff.idea_list, name="staff_participation_ideas"),
    path(S + "ideas/<id:pk>/", views_staff.idea_page, name="staff_participation_idea"),
    path(
        S + "ideas/<id:pk>/<slug:what>/",
        views_staff.idea_act,
        name="staff_participation_idea_act",
    ),
    path(S + "moderation/", views_staff.moderation, name="staff_participation_moderation"),
    path(
        S + "moderation/log/",
        views_staff.moderation_log,
        name="staff_participation_moderation_log",
    ),
    path(
        S + "moderation/comments/<id:pk>/",
        views_staff.comment_decision,
        name="staff_participation_comment",
    ),
    path(
        S + "moderation/ideas/<id:pk>/",
        views_staff.idea_decision,
        name="staff_participation_idea_decision",
    ),
    path(S + "<id:pk>/", views_staff.process_edit, name="staff_participation_process"),
    path(S + "<id:pk>/phases/new/", views_staff.phase_edit, name="staff_participation_phase_new"),
    path(
        S + "<id:pk>/phases/<id:phase_pk>/",
        views_staff.phase_edit,
        name="staff_participation_phase",
    ),
    path(
        S + "<id:pk>/phases/<id:phase_pk>/delete/",
        views_staff.phase_delete,
        name="staff_participation_phase_delete",
    ),
    path(
        S + "<id:pk>/categories/new/",
        views_staff.category_edit,
        name="staff_participation_category_new",
    ),
    path(
        S + "<id:pk>/categories/<id:category_pk>/",
        views_staff.category_edit,
        name="staff_participation_category",
    ),
    path(
        S + "<id:pk>/categories/<id:category_pk>/delete/",
        views_staff.category_delete,
        name="staff_participation_category_delete",
    ),
]
