"""Service review pages: what was agreed next to what was achieved for an instance or a customer group, open
breaches with their reasons, past reviews, and (for an instance) the form that records a review. Printable."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from itsm.forms import ChangeReasonMixin
from people.models import Person
from reports import selectors
from services.calendar_services import service_review_create
from services.models import CustomerGroup, ServiceInstance, ServiceReview
from tickets.models import Breach


class ReviewForm(ChangeReasonMixin, forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_from = forms.DateField(
        label="Period reviewed from", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_to = forms.DateField(label="to", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    attendees = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(
        label="Agreed actions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: each becomes a follow-up task on the instance, due at the next review.",
    )
    next_review_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, instance: ServiceInstance, **kwargs):
        super().__init__(*args, **kwargs)
        group = instance.customer_group
        people = [p for p in (group.primary_contact, group.secondary_contact, instance.primary_customer) if p]
        self.fields["attendees"].queryset = Person.objects.filter(
            pk__in=[p.pk for p in people]
        ) | Person.objects.filter(memberships__group=group)


def review_figures(period: selectors.Period, **scope) -> dict:
    achievement = selectors.achievement(period, group_by="priority", **scope)
    vip = selectors.vip_load(period, customer_group=scope.get("customer_group"))
    tickets = selectors.tickets_in(period, **scope)
    breaches = Breach.objects.filter(ticket__in=tickets).select_related("ticket").order_by("-breached_at")[:50]
    return {"achievement": achievement, "vip": vip, "breaches": list(breaches)}


class ReviewPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "services.view_serviceinstance"
    template_name = "reports/review.html"

    def period(self) -> selectors.Period:
        default = selectors.Period(timezone.localdate() - dt.timedelta(days=89), timezone.localdate())
        try:
            start = dt.date.fromisoformat(self.request.GET.get("date_from", ""))
            end = dt.date.fromisoformat(self.request.GET.get("date_to", ""))
        except ValueError:
            return default
        return selectors.Period(start, end) if start <= end and (end - start).days <= 3 * 366 else default


class InstanceReviewView(ReviewPage):
    def dispatch(self, request, *args, **kwargs):
        self.instance = get_object_or_404(
            ServiceInstance.objects.select_related(
                "service_level__calendar",
                "customer_group__primary_contact",
                "customer_group__secondary_contact",
                "primary_customer",
                "technical_service",
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        period = self.period()
        instance = self.instance
        initial = {"date": timezone.localdate(), "period_from": period.date_from, "period_to": period.date_to}
        return {
            **super().get_context_data(**kwargs),
            "subject": instance,
            "kind": "instance",
            "level": instance.service_level,
            "period": period,
            **review_figures(period, service_instance=instance.pk),
            "reviews": ServiceReview.objects.filter(service_instance=instance).prefetch_related("attendees")[:20],
            "form": form or ReviewForm(instance=instance, initial=initial),
            "may_record": self.request.user.has_perm("services.add_servicereview"),
        }

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("services.add_servicereview"):
            return redirect(request.path)
        form = ReviewForm(request.POST, instance=self.instance)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service_review_create(
                    user=request.user,
                    change_reason=data.get("change_reason") or "Service review recorded",
                    service_instance=self.instance,
                    date=data["date"],
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                    attendees=list(data["attendees"]),
                    outcome=data["outcome"],
                    actions=(data["actions"] or "").splitlines(),
                    next_review_date=data["next_review_date"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Review recorded; the agreed actions are tasks on the instance.")
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class GroupReviewView(ReviewPage):
    def get_context_data(self, **kwargs):
        group = get_object_or_404(CustomerGroup, pk=self.kwargs["pk"])
        period = self.period()
        instances = ServiceInstance.objects.filter(customer_group=group).select_related("service_level__calendar")
        return {
            **super().get_context_data(**kwargs),
            "subject": group,
            "kind": "group",
            "instances": instances,
            "period": period,
            **review_figures(period, customer_group=group.pk),
            "reviews": ServiceReview.objects.filter(service_instance__customer_group=group)
            .select_related("service_instance")
            .prefetch_related("attendees")[:20],
        }


def instance_review_panel(instance, request):
    """The link from the instance page (services) to its review page, registered from ReportsConfig.ready()."""
    return {"url": f"/reports/reviews/instances/{instance.pk}/"}
