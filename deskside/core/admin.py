"""`ReadOnlyAdmin`: the Django admin class of every model whose rows the services own.

The agent pages and the API are where such rows are made and changed: their services check
the actor's role and scope, keep the invariants (a contract edited there re-times the open
tickets' clocks, a webhook's new scope cancels its queued deliveries, a mailbox's host is
checked against internal addresses ...) and write the timeline or audit entry in the same
transaction. Saving the model from the admin would skip all of that, so the admin only shows
these rows: it lists and opens them, and refuses to add, change or delete (403).
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class _NoWrites:
    """Django admin permissions that allow viewing only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(_NoWrites, admin.ModelAdmin):
    """Lists and opens rows (for a user with the view or change permission); never adds,
    changes or deletes them."""

    # Shown, never saved: render URL fields as Django 6 will (no deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyInline(_NoWrites, admin.TabularInline):
    """An inline of a ReadOnlyAdmin: shows the related rows, no form to add or change them."""

    extra = 0
    can_delete = False
    show_change_link = True
