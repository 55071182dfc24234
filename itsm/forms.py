from django import forms

from itsm.audit import reasons_required


class ChangeReasonMixin(forms.Form):
    """Analyst forms ask for the reason the same way the admin does."""

    change_reason = forms.CharField(
        label="Change reason",
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Why is this being changed?", "autocomplete": "off"}),
        help_text="Kept with the history of this record, with your name and the time.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_reason"].required = reasons_required()
