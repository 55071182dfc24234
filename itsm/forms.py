from django import forms
from django.core.exceptions import ValidationError

from itsm.audit import reasons_required

REASON_MAX_LENGTH = 2000
REASON_HELP = "Kept with the history of this record, with your name and the time."


class ChangeReasonField(forms.CharField):
    """The change reason, one field everywhere a form writes (admin, analyst pages, bulk actions, replay): the same
    label and length; required as the settings say unless the form decides (e.g. reasons a change can write itself)."""

    def __init__(
        self,
        *,
        required: bool | None = None,
        placeholder: str = "Why is this being changed?",
        help_text: str = REASON_HELP,
        size: int | None = None,
        **kwargs,
    ):
        attrs = {"placeholder": placeholder, "autocomplete": "off"}
        if size:
            attrs["size"] = size
        super().__init__(
            label="Change reason",
            required=reasons_required() if required is None else required,
            max_length=REASON_MAX_LENGTH,
            widget=forms.TextInput(attrs=attrs),
            help_text=help_text,
            **kwargs,
        )


class ChangeReasonMixin(forms.Form):
    """Analyst forms ask for the reason the same way the admin does."""

    change_reason = ChangeReasonField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read per form, not once at import, so the setting can change without a restart (and in tests).
        self.fields["change_reason"].required = reasons_required()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Puts a service's validation errors next to the matching fields (others at the top of the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
