"""URLs of the catalogue: the public catalogue under /services/, staff screens under /staff/."""

from django.urls import path

from insieme.catalog import views_public, views_staff

S = "staff/<slug:admin_slug>/"

urlpatterns = [
    # public
    path("services/", views_public.catalogue, name="catalogue"),
    path(
        "services/<slug:admin_slug>/<str:code>/",
        views_public.catalogue_service,
        name="catalogue_service",
    ),
    # services
    path(S + "services/", views_staff.service_list, name="catalog_staff_services"),
    path(S + "services/new/", views_staff.service_create, name="catalog_service_create"),
    path(S + "services/translations/", views_staff.translations, name="catalog_translations"),
    path(S + "services/<id:pk>/", views_staff.service_detail, name="catalog_service_detail"),
    path(S + "services/<id:pk>/edit/", views_staff.service_edit, name="catalog_service_edit"),
    path(
        S + "services/<id:pk>/preview/",
        views_staff.service_preview,
        name="catalog_service_preview",
    ),
    path(
        S + "services/<id:pk>/skilled/",
        views_staff.service_skilled,
        name="catalog_service_skilled",
    ),
    path(
        S + "services/<id:pk>/questions/new/",
        views_staff.attribute_create,
        name="catalog_attribute_create",
    ),
    path(
        S + "services/<id:pk>/questions/<id:attr_pk>/edit/",
        views_staff.attribute_edit,
        name="catalog_attribute_edit",
    ),
    path(
        S + "services/<id:pk>/questions/<id:attr_pk>/delete/",
        views_staff.attribute_delete,
        name="catalog_attribute_delete",
    ),
    path(S + "services/<id:pk>/traces/", views_staff.service_traces, name="catalog_service_traces"),
    path(
        S + "services/<id:pk>/traces/<id:trace_pk>/delete/",
        views_staff.trace_delete,
        name="catalog_trace_delete",
    ),
    # templates
    path(S + "templates/", views_staff.template_list, name="catalog_templates"),
    path(S + "templates/new/", views_staff.template_create, name="catalog_template_create"),
    path(S + "templates/<id:pk>/", views_staff.template_detail, name="catalog_template_detail"),
    path(S + "templates/<id:pk>/edit/", views_staff.template_edit, name="catalog_template_edit"),
    path(
        S + "templates/<id:pk>/questions/new/",
        views_staff.template_attribute_create,
        name="catalog_template_attribute_create",
    ),
    path(
        S + "templates/<id:pk>/questions/<id:attr_pk>/edit/",
        views_staff.template_attribute_edit,
        name="catalog_template_attribute_edit",
    ),
    path(
        S + "templates/<id:pk>/questions/<id:attr_pk>/delete/",
        views_staff.template_attribute_delete,
        name="catalog_template_attribute_delete",
    ),
    # regulation register
    path(S + "regulations/", views_staff.regulation_list, name="catalog_regulations"),
    path(S + "regulations/new/", views_staff.regulation_create, name="catalog_regulation_create"),
    path(
        S + "regulations/<id:pk>/", views_staff.regulation_detail, name="catalog_regulation_detail"
    ),
    path(
        S + "regulations/<id:pk>/edit/",
        views_staff.regulation_edit,
        name="catalog_regulation_edit",
    ),
    path(
        S + "regulations/<id:pk>/provisions/new/",
        views_staff.provision_create,
        name="catalog_provision_create",
    ),
    path(
        S + "regulations/<id:pk>/provisions/<id:prov_pk>/edit/",
        views_staff.provision_edit,
        name="catalog_provision_edit",
    ),
    # legal basis report
    path(S + "legal-basis/", views_staff.legal_basis, name="catalog_legal_basis"),
]
