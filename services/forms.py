"""Analyst forms; the change reason is asked for like in the admin, and the services give the final word."""

from django import forms
from django.core.exceptions import ValidationError

from itsm.forms import ChangeReasonMixin
from people.models import Person
from services import services
from services.models import CustomerGroup, ServiceInstance

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceInstanceForm(ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = ServiceInstance
        fields = [
            "technical_service",
            "customer_group",
            "status",
            "service_level",
            "owner_team",
            "owner",
            "primary_customer",
            "secondary_customer",
            "billing_code",
            "charge_model",
            "charge_amount",
            "currency",
            "start_date",
            "agreement_date",
            "review_date",
            "end_date",
            "last_contact_date",
            "next_contact_date",
            "description",
            "notes",
        ]
        widgets = {
            **{
                name: DATE
                for name in (
                    "start_date",
                    "agreement_date",
                    "review_date",
                    "end_date",
                    "last_contact_date",
                    "next_contact_date",
                )
            },
            "description": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(active=True).order_by("last_name", "first_name")
        for name in ("owner", "primary_customer", "secondary_customer"):
            self.fields[name].queryset = people


class CustomerGroupForm(ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = CustomerGroup
        fields = [
            "name",
            "kind",
            "organisation_code",
            "primary_contact",
            "secondary_contact",
            "nested_groups",
            "general_notes",
            "support_notes",
        ]
        widgets = {
            "general_notes": forms.Textarea(attrs={"rows": 3}),
            "support_notes": forms.Textarea(attrs={"rows": 3}),
            "nested_groups": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(active=True).order_by("last_name", "first_name")
        for name in ("primary_contact", "secondary_contact"):
            self.fields[name].queryset = people
        if self.instance.pk:
            self.fields["nested_groups"].queryset = CustomerGroup.objects.exclude(pk=self.instance.pk)

    def clean_nested_groups(self):
        nested = self.cleaned_data["nested_groups"]
        if self.instance.pk:
            try:
                services.check_no_cycle(self.instance, nested)
            except ValidationError as error:
                raise ValidationError(error.message_dict["nested_groups"]) from None
        return nested
