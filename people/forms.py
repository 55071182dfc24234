from django import forms

from itsm.forms import ChangeReasonMixin
from people.models import Person
from people.services import GRANT_VIP_STATUS
from vip.models import VipStatus
from vip.visibility import HIDDEN, is_visible


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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The drop-down follows the admin's VIP order.
        field = self.fields["vip_status"]
        field.queryset = VipStatus.objects.ordered()
        field.empty_label = None
        if user is not None and not user.has_perm(GRANT_VIP_STATUS):
            # Shown but not editable: the service refuses a change anyway, this says so before saving.
            field.disabled = True
            field.help_text = "Only CMDB Setup grants VIP statuses."
            if not self.instance.pk:
                field.initial = VipStatus.objects.filter(is_default=True).values_list("pk", flat=True).first()
            if self.instance.pk and not is_visible(self.instance.vip_status, user):
                field.queryset = VipStatus.objects.filter(pk=self.instance.vip_status_id)
                field.label_from_instance = lambda status: HIDDEN
