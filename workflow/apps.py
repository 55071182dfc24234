from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Workflow rules"

    def ready(self) -> None:
        from itsm.demo import register_demo_data
        from itsm.roles import register_grants
        from workflow import roles, seed

        register_grants(self.label, roles.GRANTS)
        register_demo_data(self.label, seed.seed)

        from django.db.models import Prefetch

        from tickets.extensions import register_detail_field, register_field_notes
        from workflow.api.serializers import RuleFiringSerializer
        from workflow.models import RuleFiring
        from workflow.selectors import why_notes

        # The ticket API and page show what the rules did without tickets importing workflow.
        register_detail_field(
            "firings",
            lambda: RuleFiringSerializer(
                many=True,
                read_only=True,
                source="rule_firings",
                help_text="The workflow rules that fired on this ticket, oldest first: which rule (and its version), "
                "the values it saw, what it did, when.",
            ),
            prefetch=(
                Prefetch(
                    "rule_firings",
                    queryset=RuleFiring.objects.select_related("rule", "user").order_by("fired_at", "pk"),
                ),
            ),
        )
        register_field_notes(why_notes)
        # Log a call previews what the rules will do before the call is saved.
        from tickets.extensions import register_call_preview
        from workflow.preview import call_preview

        register_call_preview(call_preview)
        # Every ticket write runs the rules, in the ticket's transaction.
        from tickets.hooks import register_ticket_hook
        from workflow.hooks import on_ticket_event

        register_ticket_hook(on_ticket_event)
