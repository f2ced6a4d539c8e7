"""The preferences form: one choice of channel per kind of notification."""

from typing import Any

from django import forms

from deskside.notifications.models import Channel, Kind


class PreferencesForm(forms.Form):
    """One radio group per kind, named by the kind."""

    def __init__(self, *args: Any, initial_channels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=initial_channels.get(kind.value),
                widget=forms.RadioSelect,
            )

    def channels(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Kind.values}
