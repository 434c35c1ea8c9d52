from django.urls import include, path, re_path

from insieme.core import views as core_views
from insieme.core import views_branding
from insieme.opendata import ckan
from insieme.ops import views as ops_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("branding/<slug:slug>.css", views_branding.branding_css, name="branding_css"),
    path("branding/<slug:slug>/logo.png", views_branding.branding_logo, name="branding_logo"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("insieme.core.urls_accounts")),
    path("accounts/oidc/", include("insieme.identity.urls")),
    path("staff/", include("insieme.core.urls_staff")),
    path("staff/", include("insieme.core.urls_invitations")),
    path("", include("insieme.catalog.urls")),
    path("", include("insieme.places.urls")),
    path("", include("insieme.cases.filing.urls")),
    path("", include("insieme.cases.citizen.urls")),
    path("staff/", include("insieme.cases.handling.urls")),
    path("staff/", include("insieme.cases.setup.urls")),
    path("staff/", include("insieme.cases.filing.urls_staff")),
    path("", include("insieme.participation.urls")),
    path("", include("insieme.deliberation.urls")),
    path("", include("insieme.results.urls")),
    path("", include("insieme.codesign.urls")),
    path("", include("insieme.budgets.urls")),
    path("", include("insieme.surveys.urls")),
    path("", include("insieme.improvements.urls")),
    path("", include("insieme.perception.urls")),
    path("", include("insieme.dashboards.urls")),
    path("", include("insieme.topics.urls")),
    path("", include("insieme.community.urls")),
    path("", include("insieme.forecasts.urls")),
    path("", include("insieme.hotspots.urls")),
    path("", include("insieme.insights.urls")),
    path("", include("insieme.opendata.urls")),
    path("", include("insieme.privacy.urls")),
    path("", include("insieme.reports.urls")),
    path("open311/v2/", include("insieme.open311.urls")),
    re_path(r"^api/action/(?P<name>[^/]*)/?$", ckan.action, name="ckan_action"),
    re_path(r"^api/3/action/(?P<name>[^/]*)/?$", ckan.action, name="ckan_action_v3"),
    path("api/", include("insieme.api.urls")),
    path("staff/", include("insieme.webhooks.urls")),
]

# Styled, translated error pages (insieme/templates/400.html ... 500.html).
handler400 = "insieme.core.views_errors.bad_request"
handler403 = "insieme.core.views_errors.permission_denied"
handler404 = "insieme.core.views_errors.page_not_found"
handler500 = "insieme.ops.outage.server_error"  # 503 while the database is away
