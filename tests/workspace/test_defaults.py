"""The default views (the built-in queues) exist after migrate and after a flush: tests that
use a live server flush the database after each test, and the sidebar must not come up empty
for the next one."""

import pytest
from django.core.management import call_command

from deskside.workspace.models import SavedView
from deskside.workspace.services import DEFAULT_VIEWS


def defaults() -> list[tuple[str, str]]:
    return [
        (view.filters["queue"], view.name)
        for view in SavedView.objects.filter(is_default=True).order_by("position")
    ]


@pytest.mark.django_db
def test_migrate_made_the_five_default_views():
    assert defaults() == DEFAULT_VIEWS


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_default_views_in_place():
    call_command("flush", interactive=False, verbosity=0)
    assert defaults() == DEFAULT_VIEWS
    call_command("migrate", verbosity=0)  # runs again: nothing doubled
    assert defaults() == DEFAULT_VIEWS
