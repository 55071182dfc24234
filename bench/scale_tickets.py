"""Scale tickets, their history and notes: generated a chunk at a time and written with `bench.bulk.Table`.

Every value is computed the way the ticket services would have left it: numbers continue the counter rows in the
order of opening, priorities come from the ITIL matrix (raised for half of the VIP callers, as the VIP rules did),
due times from the instance's service level (24x7 timing for speed), the clock fields and breach flags from those.
Each ticket gets a history row as logged and, when it left New, one for its state now; about two notes.

Rows are dicts of database-ready values (plain strings, ints, naive UTC datetimes): no model instances, so a million
tickets take a few minutes rather than half an hour, and memory stays at one chunk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from bench import vocabulary as v
from bench.bulk import Table, next_id
from tickets.choices import OPEN_STATUSES, PREFIXES, RESPONDING_STATUSES, Status, format_number
from tickets.models import Ticket, TicketCounter, TicketNote
from tickets.services import highest_sequence, priority_matrix

CHUNK = 10_000
HISTORY = ("history_date", "history_change_reason", "history_type", "history_user_id")
TICKET_NAMES = (
    "id number ticket_type title description caller_id service_instance_id configuration_item_id source impact "
    "urgency priority status team_id assignee_id resolution opened_at first_response_at resolved_at closed_at "
    "response_due_at resolution_due_at service_level_id vip_status_at_open_id next_due_at due_soon_at "
    "response_breached resolution_breached response_seconds resolution_seconds updated_at"
).split()
NOTE_NAMES = ("ticket_id", "author_id", "public", "text", "time_spent_minutes", "created_at")
RECENT = {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED}
OPEN = {str(s) for s in OPEN_STATUSES}
RESPONDING = {str(s) for s in RESPONDING_STATUSES}
LABELS = {str(s): s.label for s in Status}


def _mix(mix) -> tuple[list[str], list[int]]:
    # Plain strings: a TextChoices member is also an Enum, which a database driver may write by its name.
    return [str(value) for value, _ in mix], [weight for _, weight in mix]


def history_table(model, names) -> Table:
    """The simple-history table of `model` for rows that carry `names` (fields the history leaves out are dropped)."""
    historical = model.history.model
    kept = {f.attname for f in historical._meta.concrete_fields}
    return Table(historical, [n for n in names if n in kept] + list(HISTORY))


@dataclass
class World:
    """What the tickets refer to, by key: people (index -> id, VIP status, name, department), each department's
    (instance id, service level id) pairs, configuration items per instance, teams with their members."""

    now: dt.datetime  # naive UTC
    reason: str
    person_first_id: int
    person_vip: list[int]
    person_names: list[str]
    department_size: int
    n_departments: int
    dept_instances: dict[int, list[tuple[int, int]]]
    instance_cis: dict[int, list[int]]
    team_members: dict[int, list[int]]
    shown_vip: set[int]
    level_targets: dict[int, dict[int, tuple[int, int]]]
    counts: dict[str, int] = field(default_factory=dict)


class TicketWriter:
    def __init__(self, world: World, rng, progress):
        self.w, self.rng, self.progress = world, rng, progress
        self.tickets = Table(Ticket, TICKET_NAMES)
        self.history = history_table(Ticket, TICKET_NAMES)
        self.notes = Table(TicketNote, NOTE_NAMES)
        self.matrix = {(str(i), str(u)): p for (i, u), p in priority_matrix().items()}
        self.teams = sorted(world.team_members)

    def drafts(self, n: int) -> tuple[list[tuple[int, int]], list[str], list[int]]:
        """(minus minutes before now, index) sorted by opening time, the final statuses and the callers."""
        rng, w = self.rng, self.w
        values, weights = _mix(v.STATUS_MIX)
        statuses = rng.choices(values, weights, k=n)
        recent = {str(s) for s in RECENT}
        two_years = 2 * 365 * 24 * 60
        drafts = []
        for index, status in enumerate(statuses):
            if status in recent:
                minutes = rng.randint(5, 60 * 24 * 40)
            else:
                minutes = rng.randint(60 * 24 * 3, two_years)
            drafts.append((-minutes, index))
        drafts.sort()  # numbers follow the opening time
        weights = [v.VIP_CALL_WEIGHT if vip in w.shown_vip else 1 for vip in w.person_vip]
        callers = rng.choices(range(len(w.person_vip)), weights, k=n)
        return drafts, statuses, callers

    def run(self, n: int) -> None:
        next_seq = {}
        for ticket_type, prefix in PREFIXES.items():
            counter = TicketCounter.objects.filter(prefix=prefix).first()
            next_seq[str(ticket_type)] = max(counter.last_number if counter else 0, highest_sequence(prefix))
        drafts, statuses, callers = self.drafts(n)
        first_id = next_id(Ticket)
        bar = self.progress.bar("tickets", n)
        for start in range(0, n, CHUNK):
            chunk = drafts[start : start + CHUNK]
            rows = self.chunk(chunk, statuses, callers, next_seq, first_id + start)
            history = self.history_rows(rows)
            notes = self.note_rows(rows)
            # Notes before their tickets (both databases check foreign keys at commit): a ticket's search document
            # then takes its notes in once, when the ticket is written. Written after, each note re-indexed its
            # ticket (PostgreSQL rewrote the ticket row per note: two million updates for a million tickets).
            with transaction.atomic():
                self.notes.write(notes)
                self.tickets.write(rows)
                self.history.write(history)
            bar.advance(len(rows))
        bar.close()
        for ticket_type, prefix in PREFIXES.items():
            TicketCounter.objects.update_or_create(prefix=prefix, defaults={"last_number": next_seq[str(ticket_type)]})
        counts = self.w.counts
        counts["tickets"] = self.tickets.written
        counts["ticket history rows"] = self.history.written
        counts["notes"] = self.notes.written

    def chunk(self, chunk, statuses, callers, next_seq, first_id) -> list[dict]:
        rng, w = self.rng, self.w
        m = len(chunk)
        types = rng.choices(*_mix(v.TYPE_MIX), k=m)
        impacts = rng.choices(*_mix(v.LEVEL_MIX), k=m)
        urgencies = rng.choices(*_mix(v.LEVEL_MIX), k=m)
        sources = rng.choices(*_mix(v.SOURCE_MIX), k=m)
        rows = []
        for k, (minus, index) in enumerate(chunk):
            person = callers[index]
            vip = w.person_vip[person]
            ticket_type = types[k]
            next_seq[ticket_type] += 1
            priority = self.matrix[(impacts[k], urgencies[k])]
            if vip in w.shown_vip and priority > 1 and rng.random() < 0.5:
                priority -= 1  # what the VIP rules did when these were logged
            department = min(person // w.department_size, w.n_departments - 1)
            instance_id = level_id = item_id = None
            if rng.random() < 0.85:
                instance_id, level_id = rng.choice(w.dept_instances[department])
                items = w.instance_cis.get(instance_id)
                if rng.random() < 0.25 and items:
                    item_id = rng.choice(items)
            opened = w.now + dt.timedelta(minutes=minus)
            row = {
                "id": first_id + k,
                "number": format_number(PREFIXES[ticket_type], next_seq[ticket_type]),
                "ticket_type": ticket_type,
                "title": self.title(ticket_type),
                "description": f"Reported by {w.person_names[person]}.",
                "caller_id": w.person_first_id + person,
                "service_instance_id": instance_id,
                "configuration_item_id": item_id,
                "source": sources[k],
                "impact": impacts[k],
                "urgency": urgencies[k],
                "priority": priority,
                "status": statuses[index],
                "opened_at": opened,
                "service_level_id": level_id,
                "vip_status_at_open_id": vip,
            }
            self.work(row, level_id)
            self.clock(row)
            rows.append(row)
        return rows

    def title(self, ticket_type: str) -> str:
        rng = self.rng
        return rng.choice(v.TITLES[ticket_type]).format(
            place=rng.choice(v.PLACES), system=rng.choice(v.SYSTEMS), software=rng.choice(v.SOFTWARE)
        )

    def work(self, row: dict, level_id: int | None) -> None:
        """Due times from the level; team and assignee once it left New; response, resolution and closing."""
        rng, w = self.rng, self.w
        opened, status = row["opened_at"], row["status"]
        response_due = resolution_due = None
        if level_id is not None:
            response, resolution = w.level_targets[level_id][row["priority"]]
            response_due = opened + dt.timedelta(minutes=response)
            resolution_due = opened + dt.timedelta(minutes=resolution)
        team = assignee = None
        if status != Status.NEW:
            team = rng.choice(self.teams)
            if status != Status.CANCELLED or rng.random() < 0.5:
                assignee = rng.choice(w.team_members[team])
        first_response = resolved = closed = None
        resolution_text = ""
        late = rng.random() < 0.15  # some targets are missed
        if status in RESPONDING or status == Status.CLOSED or (status == Status.CANCELLED and late):
            window = (response_due - opened).total_seconds() / 60 if response_due else 120
            first_response = opened + dt.timedelta(minutes=rng.uniform(1, window * (1.6 if late else 0.9)))
        if status in (Status.RESOLVED, Status.CLOSED):
            window = (resolution_due - opened).total_seconds() / 60 if resolution_due else 2880
            done = opened + dt.timedelta(minutes=rng.uniform(10, window * (1.5 if late else 0.95)))
            resolved = min(done, w.now - dt.timedelta(minutes=1))
            resolution_text = rng.choice(v.RESOLUTIONS)
            if status == Status.CLOSED:
                closed = resolved + dt.timedelta(days=rng.randint(1, 5))
        row.update(
            response_due_at=response_due,
            resolution_due_at=resolution_due,
            team_id=team,
            assignee_id=assignee,
            first_response_at=first_response,
            resolved_at=resolved,
            closed_at=closed,
            resolution=resolution_text,
            updated_at=closed or resolved or first_response or opened,
        )

    def clock(self, row: dict) -> None:
        """The service level clock as the ticket services would have left it: outcomes, seconds taken, the running
        target. Breach flags are set without Breach rows (what an analyst reads per ticket, not what scale tests)."""
        now, opened = self.w.now, row["opened_at"]
        is_open = row["status"] in OPEN
        response_due, resolution_due = row["response_due_at"], row["resolution_due_at"]
        first_response, resolved = row["first_response_at"], row["resolved_at"]
        response_seconds = resolution_seconds = None
        response_breached = resolution_breached = False
        if first_response is not None:
            response_seconds = int((first_response - opened).total_seconds())
            response_breached = bool(response_due and first_response > response_due)
        elif response_due and is_open and now > response_due:
            response_breached = True
        if resolved is not None:
            resolution_seconds = int((resolved - opened).total_seconds())
            resolution_breached = bool(resolution_due and resolved > resolution_due)
        elif resolution_due and is_open and now > resolution_due:
            resolution_breached = True
        running = None
        if is_open:
            running = response_due if first_response is None else resolution_due
        row.update(
            response_seconds=response_seconds,
            resolution_seconds=resolution_seconds,
            response_breached=response_breached,
            resolution_breached=resolution_breached,
            next_due_at=running,
            due_soon_at=running - (running - opened) * 0.25 if running else None,
        )

    def history_rows(self, rows: list[dict]) -> list[dict]:
        """As logged (New, nobody on it yet), and for tickets that left New, their state now and how it got there."""
        reason = self.w.reason
        history = []
        for row in rows:
            logged = dict(row)
            logged.update(
                status=str(Status.NEW),
                team_id=None,
                assignee_id=None,
                first_response_at=None,
                resolved_at=None,
                closed_at=None,
                resolution="",
                history_date=row["opened_at"],
                history_change_reason=reason,
                history_type="+",
                history_user_id=None,
            )
            history.append(logged)
        for row in rows:
            if row["status"] == Status.NEW:
                continue
            changed = dict(row)
            changed.update(
                history_date=row["closed_at"]
                or row["resolved_at"]
                or row["first_response_at"]
                or row["opened_at"] + dt.timedelta(minutes=20),
                history_change_reason=f"{reason}: status New -> {LABELS[row['status']]}",
                history_type="~",
                history_user_id=None,
            )
            history.append(changed)
        return history

    def note_rows(self, rows: list[dict]) -> list[dict]:
        """About two notes per ticket: the first public reply, worklog entries, the resolution note."""
        rng, now = self.rng, self.w.now
        notes = []
        for t in rows:
            end = t["closed_at"] or t["resolved_at"] or now
            author = t["assignee_id"]
            if t["first_response_at"] is not None:
                notes.append(
                    {
                        "ticket_id": t["id"],
                        "author_id": author,
                        "public": True,
                        "text": rng.choice(v.NOTES),
                        "time_spent_minutes": rng.choice((5, 10, 15)),
                        "created_at": t["first_response_at"],
                    }
                )
            for _ in range(rng.choice((0, 0, 0, 1))):
                span = max(60.0, (end - t["opened_at"]).total_seconds())
                notes.append(
                    {
                        "ticket_id": t["id"],
                        "author_id": author,
                        "public": False,
                        "text": rng.choice(v.NOTES),
                        "time_spent_minutes": rng.choice((0, 5, 10, 20, 30, 60)),
                        "created_at": t["opened_at"] + dt.timedelta(seconds=rng.uniform(30, span)),
                    }
                )
            if t["resolved_at"] is not None:
                notes.append(
                    {
                        "ticket_id": t["id"],
                        "author_id": author,
                        "public": True,
                        "text": t["resolution"],
                        "time_spent_minutes": rng.choice((10, 15, 30)),
                        "created_at": t["resolved_at"],
                    }
                )
        return notes
