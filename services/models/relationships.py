"""The business relationship: customer groups, who belongs to them, and each group's use of a technical service.

Rules that need only the row itself live in `clean()` so the admin, the analyst pages and the API report them next to
the field. Rules that need other rows (cycles in nested groups, titles following renames) live in services.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from itsm.params import search_param
from services.models.catalogue import ServiceLevel, TechnicalService

UDDS_MESSAGE = "Enter the organisation code as a UDDS code: one capital letter and six digits, e.g. A061234."
udds_validator = RegexValidator(r"^[A-Z][0-9]{6}\Z", message=UDDS_MESSAGE, code="invalid_udds")
currency_validator = RegexValidator(
    r"^[A-Z]{3}\Z", message="Enter the currency as a three-letter ISO code, e.g. USD or EUR.", code="invalid_currency"
)


class CustomerGroup(models.Model):
    """Who consumes a service: individual people, a department (with its UDDS code) or a group of other groups."""

    class Kind(models.TextChoices):
        INDIVIDUALS = "individuals", "Individuals"
        DEPARTMENT = "department", "Department"
        GROUPS = "groups", "Group of groups"

    name = models.CharField(
        verbose_name="name",
        max_length=150,
    )
    kind = models.CharField(
        verbose_name="kind",
        max_length=12,
        choices=Kind.choices,
        default=Kind.INDIVIDUALS,
    )
    organisation_code = models.CharField(
        verbose_name="organisation code",
        max_length=7,
        blank=True,
        validators=[udds_validator],
        help_text="The department's UDDS code, e.g. A061234. Unique when given; required for departments.",
    )
    primary_contact = models.ForeignKey(
        "people.Person",
        verbose_name="primary contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_contact_for_groups",
    )
    secondary_contact = models.ForeignKey(
        "people.Person",
        verbose_name="secondary contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secondary_contact_for_groups",
    )
    general_notes = models.TextField(
        verbose_name="general notes",
        blank=True,
    )
    support_notes = models.TextField(
        verbose_name="support notes",
        blank=True,
        help_text="What the desk should know when this group calls.",
    )
    nested_groups = models.ManyToManyField(
        "self",
        verbose_name="nested groups",
        symmetrical=False,
        related_name="parent_groups",
        blank=True,
        help_text="Groups whose members are members of this group too. A group can never contain itself.",
    )

    history = HistoricalRecords(m2m_fields=[nested_groups])

    class Meta:
        ordering = ["name"]
        verbose_name = "customer group"
        verbose_name_plural = "customer groups"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="customer_group_unique_name_ci",
                violation_error_message="A customer group with this name already exists.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["organisation_code"],
                condition=~models.Q(organisation_code=""),
                name="customer_group_unique_organisation_code",
                violation_error_message="Another customer group already has this organisation code.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:group_detail", args=[self.pk])

    def clean(self) -> None:
        self.organisation_code = (self.organisation_code or "").strip().upper()
        if self.kind == self.Kind.DEPARTMENT and not self.organisation_code:
            raise ValidationError({"organisation_code": "A department needs its organisation code (UDDS)."})
        if self.primary_contact_id and self.primary_contact_id == self.secondary_contact_id:
            raise ValidationError({"secondary_contact": "The secondary contact must differ from the primary contact."})


class Membership(models.Model):
    """A person in a customer group with a role, optionally for a period."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        PRIMARY_CONTACT = "primary_contact", "Primary contact"
        SECONDARY_CONTACT = "secondary_contact", "Secondary contact"
        BILLING_CONTACT = "billing_contact", "Billing contact"
        APPROVER = "approver", "Approver"

    group = models.ForeignKey(
        CustomerGroup,
        verbose_name="customer group",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="person",
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(
        verbose_name="role",
        max_length=20,
        choices=Role.choices,
        default=Role.MEMBER,
    )
    start_date = models.DateField(
        verbose_name="start date",
        null=True,
        blank=True,
    )
    end_date = models.DateField(
        verbose_name="end date",
        null=True,
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["group__name", "person__last_name", "person__first_name", "role"]
        verbose_name = "membership"
        verbose_name_plural = "memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person", "role"],
                name="membership_unique_group_person_role",
                violation_error_message="This person already has this role in this group.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        group = self.group if self.group_id else "?"
        person = self.person if self.person_id else "?"
        return f"{person} in {group} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})


class ServiceInstanceQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "technical_service",
            "customer_group",
            "service_level",
            "owner_team",
            "owner__vip_status",
            "primary_customer__vip_status",
            "secondary_customer__vip_status",
        )

    def search(self, term: str):
        term = search_param(term)  # capped: a thousand words would overflow the database
        if not term:
            return self
        query = models.Q()
        for word in term.split():
            query &= (
                models.Q(title__icontains=word)
                | models.Q(billing_code__icontains=word)
                | models.Q(customer_group__organisation_code__icontains=word)
            )
        return self.filter(query)


class ServiceInstance(models.Model):
    """One customer group's use of one technical service, titled "Service - Group"."""

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", "Prospective"
        AGREEMENT = "agreement", "Agreement"
        RETIRED = "retired", "Retired"

    class ChargeModel(models.TextChoices):
        NONE = "none", "No charge"
        FLAT = "flat", "Flat rate"
        PER_USER = "per_user", "Per user"

    # Which status may follow which; a Retired instance reopens only to Agreement.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PROSPECTIVE: frozenset({Status.AGREEMENT, Status.RETIRED}),
        Status.AGREEMENT: frozenset({Status.RETIRED}),
        Status.RETIRED: frozenset({Status.AGREEMENT}),
    }

    title = models.CharField(
        verbose_name="title",
        max_length=255,
        editable=False,
        help_text='Set automatically: "Service - Group".',
    )
    technical_service = models.ForeignKey(
        TechnicalService,
        verbose_name="technical service",
        on_delete=models.PROTECT,
        related_name="instances",
    )
    customer_group = models.ForeignKey(
        CustomerGroup,
        verbose_name="customer group",
        on_delete=models.PROTECT,
        related_name="instances",
    )
    service_level = models.ForeignKey(
        ServiceLevel,
        verbose_name="service level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instances",
    )
    status = models.CharField(
        verbose_name="status",
        max_length=12,
        choices=Status.choices,
        default=Status.PROSPECTIVE,
    )
    owner_team = models.ForeignKey(
        "people.Team",
        verbose_name="owner team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_instances",
    )
    owner = models.ForeignKey(
        "people.Person",
        verbose_name="account owner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_service_instances",
    )
    primary_customer = models.ForeignKey(
        "people.Person",
        verbose_name="primary customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_customer_for",
        help_text="Defines, agrees and pays for the service; need not use it.",
    )
    secondary_customer = models.ForeignKey(
        "people.Person",
        verbose_name="secondary customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secondary_customer_for",
    )
    billing_code = models.CharField(
        verbose_name="cost centre / billing code",
        max_length=60,
        blank=True,
    )
    charge_model = models.CharField(
        verbose_name="charge model",
        max_length=10,
        choices=ChargeModel.choices,
        default=ChargeModel.NONE,
    )
    charge_amount = models.DecimalField(
        verbose_name="amount",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Per month; per user when the charge model is per user.",
    )
    currency = models.CharField(
        verbose_name="currency",
        max_length=3,
        blank=True,
        default="USD",
        validators=[currency_validator],
    )
    start_date = models.DateField(verbose_name="start date", null=True, blank=True)
    agreement_date = models.DateField(verbose_name="agreement date", null=True, blank=True)
    review_date = models.DateField(verbose_name="review date", null=True, blank=True)
    end_date = models.DateField(verbose_name="end date", null=True, blank=True)
    last_contact_date = models.DateField(verbose_name="last contact", null=True, blank=True)
    next_contact_date = models.DateField(verbose_name="next contact", null=True, blank=True)
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )
    notes = models.TextField(
        verbose_name="notes",
        blank=True,
    )

    history = HistoricalRecords()
    objects = ServiceInstanceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "service instance"
        verbose_name_plural = "service instances"
        constraints = [
            models.UniqueConstraint(
                fields=["technical_service", "customer_group"],
                name="service_instance_unique_service_group",
                violation_error_message="This customer group already has an instance of this technical service.",
                violation_error_code="unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="service_instance_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.build_title()

    def get_absolute_url(self) -> str:
        return reverse("services:instance_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # The status as loaded, so that clean() can check the transition whoever saves (admin, API, service).
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def build_title(self) -> str:
        service = self.technical_service.name if self.technical_service_id else "?"
        group = self.customer_group.name if self.customer_group_id else "?"
        return f"{service} - {group}"

    def clean(self) -> None:
        if self.technical_service_id and self.customer_group_id:
            self.title = self.build_title()[: self._meta.get_field("title").max_length]
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        previous = getattr(self, "_loaded_status", None)
        if previous and previous != self.status and self.status not in self.TRANSITIONS.get(previous, ()):
            allowed = " or ".join(str(self.Status(s).label) for s in sorted(self.TRANSITIONS[previous]))
            add(
                "status",
                f"A {self.Status(previous).label} instance cannot become {self.Status(self.status).label}; "
                f"it can become {allowed}.",
            )
        if self.status == self.Status.AGREEMENT:
            if not self.service_level_id:
                add("service_level", "An instance under agreement needs a service level.")
            if not self.primary_customer_id:
                add("primary_customer", "An instance under agreement needs a primary customer.")
        if self.status == self.Status.RETIRED and not self.end_date:
            add("end_date", "A retired instance needs an end date.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            add("end_date", "The end date cannot be before the start date.")
        if self.primary_customer_id and self.primary_customer_id == self.secondary_customer_id:
            add("secondary_customer", "The secondary customer must differ from the primary customer.")
        if self.charge_model != self.ChargeModel.NONE and self.charge_amount is None:
            add("charge_amount", "Give the amount for a flat or per-user charge.")
        if self.charge_amount is not None and not self.currency:
            add("currency", "Give the currency of the amount.")
        if errors:
            raise ValidationError(errors)

    @property
    def review_overdue(self) -> bool:
        return bool(self.review_date and self.review_date < dt.date.today() and self.status != self.Status.RETIRED)

    @property
    def next_contact_overdue(self) -> bool:
        return bool(
            self.next_contact_date and self.next_contact_date < dt.date.today() and self.status != self.Status.RETIRED
        )
