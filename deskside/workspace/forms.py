"""Forms of the saved-view pages: they parse input; the services do the writes."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin
from deskside.workspace.models import FILTER_KEYS


def teams_to_share_with(user: User) -> QuerySet[Team]:
    """The teams `user` may share a view with: their own; an administrator, any team."""
    return Team.objects.all() if is_admin(user) else user.teams.all()


class ViewForm(forms.Form):
    """A view's name and who sees it (no team: only its owner)."""

    name = forms.CharField(max_length=80)
    team = forms.ChoiceField(required=False, label="Share with")

    def __init__(
        self, *args: Any, user: User, teams: list[Team] | None = None, **kwargs: Any
    ) -> None:
        """`teams`: the teams `user` may share with, when the caller read them already (a
        page with one form per view reads them once)."""
        super().__init__(*args, **kwargs)
        self.teams = {
            t.slug: t for t in (teams if teams is not None else teams_to_share_with(user))
        }
        self.fields["team"].choices = [
            ("", "Only me"),
            *((t.slug, t.name) for t in self.teams.values()),
        ]

    def clean_team(self) -> Team | None:
        slug = self.cleaned_data.get("team")
        return self.teams.get(slug) if slug else None


class SaveViewForm(ViewForm):
    """Save the queue page's current filter (`query`: its query string) as a view."""

    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def view_fields(self) -> dict[str, Any]:
        """The filters, sort and columns of the page's query string."""
        params = QueryDict(self.cleaned_data.get("query") or "")
        cols = params.get("cols")
        return {
            "filters": {k: params.get(k) for k in FILTER_KEYS if params.get(k)},
            "sort": params.get("sort") or "newest",
            "columns": [c for c in cols.split(",") if c] if cols else [],
        }
