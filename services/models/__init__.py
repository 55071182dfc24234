"""The business-relationship register: who consumes which technical service, at what level, on what, and when.

One module per seam: the catalogue, the relationship (groups, memberships, instances), what hangs off an instance,
business-hours calendars and service reviews. Importing the package registers every model with Django.
"""

from services.models.calendars import Calendar, CalendarHoliday, CalendarHours
from services.models.catalogue import ServiceLevel, TechnicalService
from services.models.items import ConfigurationItem, Task, Timeframe
from services.models.relationships import CustomerGroup, Membership, ServiceInstance
from services.models.reviews import ServiceReview

__all__ = [
    "Calendar",
    "CalendarHoliday",
    "CalendarHours",
    "ConfigurationItem",
    "CustomerGroup",
    "Membership",
    "ServiceInstance",
    "ServiceLevel",
    "ServiceReview",
    "Task",
    "TechnicalService",
    "Timeframe",
]
