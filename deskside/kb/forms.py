"""The knowledge base's forms: validation of the pages' input only; the services save."""

from django import forms

from deskside.accounts.models import Organization, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core.forms import DomainErrors
from deskside.kb.models import ArticleStatus, Category, Visibility
from deskside.kb.services import MAX_BODY, MAX_TITLE, ArticleInput


class ArticleForm(DomainErrors, forms.Form):
    title = forms.CharField(max_length=MAX_TITLE)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        max_length=MAX_BODY,
        help_text="Markdown: # headings, **bold**, lists, `code`, [links](https://...).",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices)
    status = forms.ChoiceField(
        choices=ArticleStatus.choices,
        help_text="Any agent publishes internal articles; a public one needs an administrator.",
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(is_msp=False).order_by("name"),
        required=False,
        empty_label="Global (every client)",
        to_field_name="slug",
        label="Client",
        help_text="A client's runbook is read by agents and, when public, that client only.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, to_field_name="slug"
    )
    tags = forms.CharField(required=False, help_text="Comma-separated: vpn, outlook, mfa")
    review_every_days = forms.IntegerField(
        min_value=0, max_value=3650, initial=180, help_text="0: never due for review."
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        """The client choices are those `user` serves (the service refuses any other too)."""
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations_visible_to(user).filter(is_msp=False).order_by("name")
        )

    def to_input(self) -> ArticleInput:
        d = self.cleaned_data
        return ArticleInput(
            title=d["title"],
            body=d["body"],
            visibility=d["visibility"],
            status=d["status"],
            organization=d["organization"],
            category=d["category"],
            tags=[t for t in (d["tags"] or "").split(",") if t.strip()],
            review_every_days=d["review_every_days"],
        )


class AttachmentForm(forms.Form):
    file = forms.FileField()
