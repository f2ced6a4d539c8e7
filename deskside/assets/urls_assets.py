"""The asset registry's pages (part `registry`), composed into `deskside.assets.urls`
(namespace "assets") by the integrator. The asset page's pattern is a 12-character public id:
keep these patterns after the other parts' literal paths (`import/`, `disposal/` ...)."""

from django.urls import path, re_path

from deskside.assets.views import asset_reports as reports
from deskside.assets.views import assets as views

PUBLIC_ID = r"(?P<public_id>[A-Za-z0-9_-]{12})"

urlpatterns = [
    path("", views.asset_list, name="asset_list"),
    path("new/", views.asset_new, name="asset_new"),
    path("reports/warranty/", reports.warranty_report, name="asset_warranty"),
    path("reports/age/", reports.age_report, name="asset_age"),
    path("reports/age.svg", reports.age_chart, name="asset_age_chart"),
    path("reports/age.csv", reports.age_csv, name="asset_age_csv"),
    path("portal/", reports.portal_list, name="asset_portal"),
    re_path(rf"^portal/{PUBLIC_ID}/$", reports.portal_detail, name="asset_portal_detail"),
    path("tickets/<str:number>/panel/", views.ticket_panel, name="asset_ticket_panel"),
    path("tickets/<str:number>/link/", views.ticket_link, name="asset_ticket_link"),
    re_path(
        rf"^tickets/(?P<number>[^/]+)/unlink/{PUBLIC_ID}/$",
        views.ticket_unlink,
        name="asset_ticket_unlink",
    ),
    re_path(rf"^{PUBLIC_ID}/$", views.asset_detail, name="asset_detail"),
    re_path(rf"^{PUBLIC_ID}/edit/$", views.asset_edit, name="asset_edit"),
    re_path(rf"^{PUBLIC_ID}/status/$", views.asset_status, name="asset_status"),
    re_path(rf"^{PUBLIC_ID}/link/$", views.asset_link, name="asset_link"),
    re_path(rf"^{PUBLIC_ID}/unlink/(?P<number>[^/]+)/$", views.asset_unlink, name="asset_unlink"),
]
