from django import forms

from itsm.forms import ChangeReasonMixin
from people.models import Person
from vip.models import VipStatus


class PersonForm(ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "organisation_code",
            "vip_status",
            "active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The drop-down follows the admin's VIP order.
        self.fields["vip_status"].queryset = VipStatus.objects.ordered()
        self.fields["vip_status"].empty_label = None
