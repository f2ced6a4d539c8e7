"""Validation of the handover pages' input (the services check again and own every write)."""

from django import forms


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Notes for the next shift",
        help_text="Tag people with @ and the start of their email address (@alice): they are "
        "told by mail and their paging contact methods.",
    )


class TicketNoteForm(forms.Form):
    ticket = forms.CharField(max_length=20, label="Ticket number", help_text="T-10423")
    body = forms.CharField(
        max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(
        max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), label="Feedback"
    )


class HistoryForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Text")
    team = forms.SlugField(required=False, label="Team")
    day = forms.DateField(
        required=False, label="Day", widget=forms.DateInput(attrs={"type": "date"})
    )
    person = forms.CharField(required=False, max_length=254, label="Person (email)")
