from django.db import migrations
from django.utils import timezone


def create_default(apps, schema_editor):
    VipStatus = apps.get_model("vip", "VipStatus")
    if not VipStatus.objects.filter(is_default=True).exists():
        status = VipStatus.objects.create(
            name="Standard",
            colour="#6E7781",
            show_on_tickets=False,
            position=VipStatus.objects.count() + 1,
            is_default=True,
            description="Everyone without another VIP status.",
        )
        HistoricalVipStatus = apps.get_model("vip", "HistoricalVipStatus")
        HistoricalVipStatus.objects.create(
            id=status.id,
            name=status.name,
            colour=status.colour,
            show_on_tickets=status.show_on_tickets,
            position=status.position,
            is_default=True,
            description=status.description,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason="Created by the first migration: the default VIP status",
        )


class Migration(migrations.Migration):
    dependencies = [("vip", "0001_initial")]
    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
