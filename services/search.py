"""Full-text search over the service register: service instances (title and billing code A, description B, notes C),
customer groups (name and organisation code A, support notes B, general notes C) and configuration items (name,
asset tag and serial number A, description B). The indexes are kept by the database (see the migration)."""

from __future__ import annotations

from django.db.models import Prefetch

from itsm.fulltext import Field, FullTextIndex, SearchQuery, in_order
from services.models import ConfigurationItem, CustomerGroup, ServiceInstance

INSTANCE_INDEX = FullTextIndex(
    "services_serviceinstance", (Field("title", "A"), Field("description", "B"), Field("notes", "C"))
)
GROUP_INDEX = FullTextIndex(
    "services_customergroup", (Field("name", "A"), Field("support_notes", "B"), Field("general_notes", "C"))
)
CI_INDEX = FullTextIndex("services_configurationitem", (Field("name", "A"), Field("description", "B")))

# (index, SQLite view SELECT, PostgreSQL (expression, weight) parts, columns whose change re-indexes the row)
DEFINITIONS = (
    (
        INSTANCE_INDEX,
        "SELECT id, title || ' ' || billing_code AS title, description, notes FROM services_serviceinstance",
        (("title || ' ' || billing_code", "A"), ("description", "B"), ("notes", "C")),
        ("title", "billing_code", "description", "notes"),
    ),
    (
        GROUP_INDEX,
        "SELECT id, name || ' ' || organisation_code AS name, support_notes, general_notes FROM services_customergroup",
        (("name || ' ' || organisation_code", "A"), ("support_notes", "B"), ("general_notes", "C")),
        ("name", "organisation_code", "support_notes", "general_notes"),
    ),
    (
        CI_INDEX,
        "SELECT id, name || ' ' || asset_tag || ' ' || serial_number AS name, description "
        "FROM services_configurationitem",
        (("name || ' ' || asset_tag || ' ' || serial_number", "A"), ("description", "B")),
        ("name", "asset_tag", "serial_number", "description"),
    ),
)


def search_instances(query: SearchQuery, *, limit: int, offset: int = 0) -> tuple[list[ServiceInstance], int]:
    ids, total = INSTANCE_INDEX.ranked(query, limit=limit, offset=offset)
    rows = ServiceInstance.objects.select_related("technical_service", "customer_group", "service_level")
    return in_order(rows, ids), total


def search_groups(query: SearchQuery, *, limit: int, offset: int = 0) -> tuple[list[CustomerGroup], int]:
    ids, total = GROUP_INDEX.ranked(query, limit=limit, offset=offset)
    return in_order(CustomerGroup.objects.all(), ids), total


def search_configuration_items(
    query: SearchQuery, *, limit: int, offset: int = 0
) -> tuple[list[ConfigurationItem], int]:
    """The best matching items with the instances they serve (one query for all of them)."""
    ids, total = CI_INDEX.ranked(query, limit=limit, offset=offset)
    instances = Prefetch("service_instances", queryset=ServiceInstance.objects.order_by("title", "id"))
    rows = ConfigurationItem.objects.prefetch_related(instances)
    return in_order(rows, ids), total
