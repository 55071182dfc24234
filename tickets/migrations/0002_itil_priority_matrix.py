from django.db import migrations
from django.utils import timezone

# The standard ITIL matrix (impact, urgency) -> priority, as in tickets.choices.ITIL_MATRIX at the time of writing.
CELLS = [
    ("high", "high", 1),
    ("high", "medium", 2),
    ("high", "low", 3),
    ("medium", "high", 2),
    ("medium", "medium", 3),
    ("medium", "low", 4),
    ("low", "high", 3),
    ("low", "medium", 4),
    ("low", "low", 5),
]


def create_matrix(apps, schema_editor):
    Cell = apps.get_model("tickets", "PriorityMatrixCell")
    HistoricalCell = apps.get_model("tickets", "HistoricalPriorityMatrixCell")
    for impact, urgency, priority in CELLS:
        if Cell.objects.filter(impact=impact, urgency=urgency).exists():
            continue
        cell = Cell.objects.create(impact=impact, urgency=urgency, priority=priority)
        HistoricalCell.objects.create(
            id=cell.id,
            impact=impact,
            urgency=urgency,
            priority=priority,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason="Created by migration: the standard ITIL priority matrix",
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_matrix, migrations.RunPython.noop)]
