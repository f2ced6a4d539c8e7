"""The directory pages, mounted at /directory/ (namespace "directory")."""

from django.urls import path

from deskside.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.contacts, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/import/", views.import_contacts, name="import"),
    path("contacts/site-options/", views.site_options, name="site_options"),
    path("contacts/import/apply/", views.import_apply, name="import_apply"),
    path("contacts/<str:public_id>/", views.contact_detail, name="contact"),
    path("contacts/<str:public_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<str:public_id>/active/", views.contact_active, name="contact_active"),
    path("clients/", views.clients, name="clients"),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/<slug:slug>/", views.client_detail, name="client"),
    path("clients/<slug:slug>/edit/", views.client_edit, name="client_edit"),
    path("clients/<slug:slug>/sites/new/", views.site_new, name="site_new"),
    path("sites/<str:public_id>/edit/", views.site_edit, name="site_edit"),
    path("agents/", views.agents, name="agents"),
    path("agents/new/", views.agent_new, name="agent_new"),
    path("agents/<str:public_id>/", views.agent_edit, name="agent_edit"),
    path("agents/<str:public_id>/active/", views.agent_active, name="agent_active"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<slug:slug>/", views.team_edit, name="team_edit"),
]
