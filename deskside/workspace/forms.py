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
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="Only me",
        label="Share with",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_to_share_with(user)


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
