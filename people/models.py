from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from itsm.params import search_param
from vip.models import default_vip_status_id


class Team(models.Model):
    """A support group of analysts that tickets and services are assigned to."""

    name = models.CharField(
        verbose_name="name",
        max_length=100,
    )
    email = models.EmailField(
        verbose_name="email",
        blank=True,
        help_text="Where notifications for the team go.",
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )
    active = models.BooleanField(
        verbose_name="active",
        default=True,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="analysts",
        related_name="teams",
        blank=True,
    )

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        verbose_name = "team"
        verbose_name_plural = "teams"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="team_unique_name_ci",
                violation_error_message="A team with this name already exists.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet):
    def with_vip(self):
        return self.select_related("vip_status")

    def search(self, term: str):
        term = search_param(term)  # capped: a thousand words would overflow the database
        if not term:
            return self
        query = models.Q()
        for word in term.split():
            query &= (
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
            )
        return self.filter(query)


class Person(models.Model):
    """Anyone the desk serves. Holds a VIP status (the default unless another is given)."""

    first_name = models.CharField(
        verbose_name="first name",
        max_length=100,
    )
    last_name = models.CharField(
        verbose_name="last name",
        max_length=100,
    )
    email = models.EmailField(
        verbose_name="email",
        blank=True,
    )
    phone = models.CharField(
        verbose_name="phone",
        max_length=40,
        blank=True,
    )
    job_title = models.CharField(
        verbose_name="job title",
        max_length=120,
        blank=True,
    )
    organisation_code = models.CharField(
        verbose_name="organisation code",
        max_length=40,
        blank=True,
        help_text="Department code (UDDS), e.g. A061234.",
    )
    vip_status = models.ForeignKey(
        "vip.VipStatus",
        verbose_name="VIP status",
        on_delete=models.PROTECT,
        related_name="people",
        default=default_vip_status_id,
    )
    active = models.BooleanField(
        verbose_name="active",
        default=True,
    )
    login = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="login",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="Only for people who sign in (analysts); most people served by the desk have none.",
    )
    notes = models.TextField(
        verbose_name="notes",
        blank=True,
    )

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = "person"
        verbose_name_plural = "people"
        permissions = [("grant_vip_status", "Can grant a VIP status to a person")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="person_unique_email_ci",
                violation_error_message="Another person already has this email address.",
                violation_error_code="unique",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
