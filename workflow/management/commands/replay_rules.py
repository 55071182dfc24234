"""Runs rules over past tickets: a dry run by default (counts and a sample), or --apply with --reason."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date
from tqdm import tqdm

from itsm.services import validation_message
from workflow import dry_runs
from workflow.models import Rule


def _date(value: str):
    parsed = parse_date(value)
    if parsed is None:
        raise CommandError(f"'{value}' is not a date: use YYYY-MM-DD.")
    return parsed


class Command(BaseCommand):
    help = (
        "Replay workflow rules over tickets opened in a date range, as the tickets are now. Dry run by default: "
        "prints counts and a sample of tickets whose priority, team or status would change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rule",
            dest="rules",
            action="append",
            type=int,
            default=[],
            metavar="ID",
            help="Replay only this rule (active or not; repeat for several). Default: the whole active set.",
        )
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="Tickets opened on or after.")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="Tickets opened on or before.")
        parser.add_argument("--apply", action="store_true", help="Change the tickets (needs --reason).")
        parser.add_argument("--reason", default="", help="Change reason kept in the history of every ticket changed.")
        parser.add_argument("--user", default="", help="Username recorded as the editor (default: none).")
        parser.add_argument("--sample", type=int, default=20, help="How many changed tickets to list (default 20).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from comes after --to.")
        rule_ids = options["rules"]
        if rule_ids:
            missing = sorted(set(rule_ids) - set(Rule.objects.filter(pk__in=rule_ids).values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No rule with id {', '.join(map(str, missing))}.")
        apply = options["apply"]
        reason = options["reason"].strip()
        if apply and not reason:
            raise CommandError("Give a change reason with --reason to apply a replay.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user '{options['user']}'.")

        total = dry_runs.replay_tickets(date_from=date_from, date_to=date_to).count()
        with tqdm(
            total=total,
            unit="ticket",
            file=sys.stderr,
            disable=True if options["no_progress"] else None,  # None: only on a terminal
            leave=False,
        ) as bar:
            try:
                report = dry_runs.replay(
                    date_from=date_from,
                    date_to=date_to,
                    rule_ids=rule_ids or None,
                    apply=apply,
                    user=user,
                    change_reason=reason,
                    sample_size=max(0, options["sample"]),
                    progress=bar.update,
                )
            except ValidationError as error:
                raise CommandError(validation_message(error)) from error
        self._print(report)

    def _print(self, report) -> None:
        write = self.stdout.write
        verb = "would change" if report.dry_run else "changing"
        fields = ", ".join(f"{name} {count}" for name, count in sorted(report.by_field.items()))
        write(
            f"{'Dry run' if report.dry_run else 'Applied'}: {report.scanned} tickets scanned, {report.matched} matched "
            f"a rule, {report.changed} {verb} priority, team or status" + (f" ({fields})" if fields else "") + "."
        )
        if not report.dry_run:
            write(self.style.SUCCESS(f"{report.applied} tickets changed, with the reason in their history."))
        for label, count in report.by_rule.most_common():
            write(f"  {label}: {count} tickets matched")
        if report.sample:
            write("Sample:")
            for item in report.sample:
                changes = "; ".join(
                    f"{name} {c['old_display']} -> {c['new_display']}" for name, c in item["changes"].items()
                )
                write(f"  {item['ticket']} {item['title'][:50]!r}: {changes}  [{'; '.join(item['rules'])}]")
        for error in report.errors:
            write(self.style.ERROR(f"  not applied: {error}"))
        if report.dry_run and report.changed:
            write("Nothing was changed. Run again with --apply --reason '...' to apply.")
