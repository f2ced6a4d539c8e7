from django.contrib import admin
from django.urls import include, path

from deskside.accounts import views as account_views
from deskside.api import api

urlpatterns = [
    # First: the API takes the most requests (monitoring tools post alerts here at volume),
    # and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("", account_views.home, name="home"),
    path("", include("deskside.accounts.urls")),
    path("tickets/", include("deskside.tickets.urls")),
    path("portal/", include("deskside.portal.urls")),
    path("sla/", include("deskside.sla.urls")),
    path("mail/", include("deskside.mail.urls")),
    path("oncall/", include("deskside.duty.urls")),
    path("rosters/", include("deskside.rosters.urls")),
    path("alerts/", include("deskside.alerts.urls")),
    path("paging/", include("deskside.paging.urls")),
    path("webhooks/", include("deskside.webhooks.urls")),
    path("macros/", include("deskside.macros.urls")),
    path("kb/", include("deskside.kb.urls")),
    path("directory/", include("deskside.directory.urls")),
    path("notifications/", include("deskside.notifications.urls")),
    path("live/", include("deskside.live.urls")),
    path("workspace/", include("deskside.workspace.urls")),
    path("support-duty/", include("deskside.rosters.supportduty_urls")),
    path("assignment/", include("deskside.assignment.urls")),
    path("handovers/", include("deskside.handovers.urls")),
    path("staffing/", include("deskside.staffing.urls")),
    path("review/", include("deskside.review.urls")),
    path("surveys/", include("deskside.surveys.urls")),
    path("triage/", include("deskside.triage.urls")),
    path("problems/", include("deskside.problems.urls")),
    path("reports/", include("deskside.reports.urls")),
    path("field/", include("deskside.field.urls")),
    path("assets/", include("deskside.assets.urls")),
    path("audit/", account_views.audit_log, name="audit_log"),
    path("admin/", admin.site.urls),
]
