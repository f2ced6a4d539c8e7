"""Forms of the problem pages: they parse what an agent typed into the services' arguments;
the services check again and their errors land on the field they name."""

from typing import Any

from django import forms

from deskside.accounts.models import User
from deskside.core.forms import DomainErrors
from deskside.kb.models import ArticleStatus
from deskside.kb.queries import visible_articles
from deskside.problems.models import Problem, ProblemStatus
from deskside.problems.services import MAX_TEXT, MAX_TITLE


class ProblemForm(DomainErrors, forms.Form):
    title = forms.CharField(max_length=MAX_TITLE)
    statement = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What fails, for whom, since when.",
    )
    root_cause = forms.CharField(
        max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    workaround = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for a known error: agents see it on new matching tickets.",
    )
    status = forms.ChoiceField(choices=ProblemStatus.choices)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(kind=User.Kind.AGENT, is_active=True).order_by("full_name"),
        required=False,
        to_field_name="public_id",
        empty_label="Nobody yet",
    )
    article = forms.ModelChoiceField(
        queryset=visible_articles(None),
        required=False,
        to_field_name="public_id",
        empty_label="No article",
        label="Knowledge-base article",
        help_text="The article a known error points agents to.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        """The article choices are those `user` may read (an agent limited to some clients
        never sees another client's runbook here), archived ones aside."""
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = (  # type: ignore[attr-defined]
            visible_articles(user).exclude(status=ArticleStatus.ARCHIVED).order_by("title")
        )

    @staticmethod
    def initial_for(problem: Problem) -> dict[str, Any]:
        return {
            "title": problem.title,
            "statement": problem.statement,
            "root_cause": problem.root_cause,
            "workaround": problem.workaround,
            "status": problem.status,
            "owner": problem.owner.public_id if problem.owner_id else None,
            "article": problem.article.public_id if problem.article_id else None,
        }


class LinkForm(DomainErrors, forms.Form):
    tickets = forms.CharField(
        max_length=2000,
        label="Ticket numbers",
        help_text="One or more, separated by spaces or commas (T-10423 T-10424).",
    )

    def numbers(self) -> list[str]:
        text = self.cleaned_data["tickets"].replace(",", " ")
        return [n for n in text.split() if n]


class TicketLinkForm(forms.Form):
    problem = forms.CharField(max_length=20)
