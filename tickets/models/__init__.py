"""Tickets (incidents, service requests, problems, changes), their worklog notes, numbering, the ITIL matrix, the
service-level clock's breaches and the analysts' queue settings. Importing the package registers every model."""

from tickets.models.clock import Breach
from tickets.models.matrix import PriorityMatrixCell
from tickets.models.notes import TicketNote
from tickets.models.numbering import TicketCounter, TicketRequestKey
from tickets.models.queue import QueuePreference, SavedView
from tickets.models.tickets import Ticket, TicketQuerySet

__all__ = [
    "Breach",
    "PriorityMatrixCell",
    "QueuePreference",
    "SavedView",
    "Ticket",
    "TicketCounter",
    "TicketNote",
    "TicketQuerySet",
    "TicketRequestKey",
]
