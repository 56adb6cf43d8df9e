"""Every state change of notification: audited, validated, atomic (CONVENTIONS.md 4-5).

The sending itself (claims, attempts, rate limits, fallback) is in `dispatch.py`; the waves
of an escalation policy are advanced here by `sends_tick(now=)`, which the scheduler calls
every minute and tests call with the clock they choose.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.services import UNSET, given, object_create, object_delete, object_update
from resilia.core.trail import diff, record, snapshot
from resilia.notify import calltrees, messages
from resilia.notify.models import (
    Acknowledgement,
    Answer,
    CallTree,
    CallTreeContact,
    Channel,
    Delivery,
    EscalationPolicy,
    EscalationStep,
    MessageTemplate,
    Send,
)
from resilia.notify.tokens import ack_url, new_reply_codes
from resilia.notify.transports import transport_for
from resilia.notify.transports.base import MASK
from resilia.org.models import Person

register_action("notify.send_start", gettext_lazy("Start a send"))
register_action("notify.send_wave", gettext_lazy("Notify the next wave"))
register_action("notify.send_finish", gettext_lazy("End the waves"))
register_action("notify.send_close", gettext_lazy("Close a send"))
register_action("notify.acknowledge", gettext_lazy("Acknowledge"))
register_action("notify.channel_disable", gettext_lazy("Switch a channel off"))
register_action("notify.channel_test", gettext_lazy("Send a test message"))

# Answers that count towards a policy's quorum ("2 DBAs on site": those who can come).
POSITIVE = {Answer.ACK, Answer.COMING, Answer.SAFE}


# Plain registers -------------------------------------------------------------------------
def channel_create(
    *,
    actor,
    name: str,
    kind: str,
    config: dict | None = None,
    fallback=None,
    priority=10,
    is_active: bool = True,
):
    """A new channel; its transport validates the configuration (a missing one is refused
    field by field, like an incomplete one)."""
    channel = Channel(
        name=name,
        kind=kind,
        config=config if config is not None else {},
        fallback=fallback,
        priority=priority,
        is_active=is_active,
    )
    return object_create(actor=actor, instance=channel)


def channel_update(
    *,
    actor,
    channel,
    name=UNSET,
    kind=UNSET,
    config=UNSET,
    fallback=UNSET,
    priority=UNSET,
    is_active=UNSET,
):
    """Change a channel; switching it back on clears the reason it was switched off. A
    secret sent back as the API shows it ("••••••") keeps its stored value."""
    if config is not UNSET and isinstance(config, dict):
        config = {k: channel.config.get(k, "") if v == MASK else v for k, v in config.items()}
    data = given(
        name=name,
        kind=kind,
        config=config,
        fallback=fallback,
        priority=priority,
        is_active=is_active,
    )
    if data.get("is_active"):
        data["disabled_reason"] = ""
    return object_update(actor=actor, instance=channel, data=data)


def channel_delete(*, actor, channel) -> None:
    object_delete(actor=actor, instance=channel)


@transaction.atomic
def channel_disable(*, actor, channel, reason: str) -> None:
    """Switch a channel off after a permanent error and tell the administrators."""
    object_update(
        actor=actor,
        instance=channel,
        data={"is_active": False, "disabled_reason": reason[:2000]},
        action="notify.channel_disable",
    )
    from django.core.mail import mail_admins

    transaction.on_commit(
        lambda: mail_admins(
            _("Channel switched off: %(name)s") % {"name": channel.name},
            _("A permanent error switched the channel off: %(reason)s") % {"reason": reason},
            fail_silently=True,
        )
    )


def channel_test(*, actor, channel, address: str) -> str:
    """Send a test message through the channel now; "" on success, else the error text.
    Audited either way; a test never switches the channel off."""
    from resilia.notify.transports import Outgoing, TransportError

    transport = transport_for(channel)
    error = ""
    try:
        transport.send(
            Outgoing(
                address=address,
                subject=_("Resilia test message"),
                body=_("This is a test of the channel %(name)s.") % {"name": channel.name},
                key=f"test-{channel.pk}-{timezone.now().timestamp():.0f}",
                mobile=address,
            )
        )
    except TransportError as exc:
        error = str(exc)
    finally:
        transport.close()
    record(
        actor=actor,
        action="notify.channel_test",
        obj=channel,
        changes={"address": [None, address], "error": [None, error]},
    )
    return error


def template_create(*, actor, code, subject, body, subject_en="", body_en=""):
    """A new message template (unknown placeholders refused)."""
    tpl = MessageTemplate(
        code=code, subject=subject, body=body, subject_en=subject_en, body_en=body_en
    )
    return object_create(actor=actor, instance=tpl)


def template_update(*, actor, template, **fields):
    return object_update(actor=actor, instance=template, data=fields)


def template_delete(*, actor, template) -> None:
    object_delete(actor=actor, instance=template)


def calltree_create(*, actor, code, name, name_en="", team=None, contacts=None):
    """A new call tree. `contacts`, when given, are its ordered contacts (see
    `calltree_contacts_set`); without them, a team's members become the contacts, leader
    first."""
    with transaction.atomic():
        tree = object_create(
            actor=actor, instance=CallTree(code=code, name=name, name_en=name_en, team=team)
        )
        if contacts:
            calltree_contacts_set(actor=actor, tree=tree, contacts=contacts)
        elif team is not None:
            from resilia.org.models import TeamMembership

            order = {TeamMembership.Role.LEADER: 0, TeamMembership.Role.DEPUTY: 1}
            rows = sorted(
                team.memberships.select_related("person"),
                key=lambda m: (order.get(m.role, 2), m.pk),
            )
            for i, m in enumerate(rows, start=1):
                calltree_contact_add(
                    actor=actor,
                    tree=tree,
                    person=m.person,
                    role=m.get_role_display(),
                    position=i,
                )
    return tree


def calltree_update(*, actor, tree, contacts=None, **fields):
    """Change a call tree; `contacts`, when given, replace its contacts (in one transaction:
    a refused contact leaves the tree as it was)."""
    with transaction.atomic():
        tree = object_update(actor=actor, instance=tree, data=fields)
        if contacts is not None:
            calltree_contacts_set(actor=actor, tree=tree, contacts=contacts)
    return tree


def calltree_delete(*, actor, tree) -> None:
    object_delete(actor=actor, instance=tree)


@transaction.atomic
def calltree_contacts_set(*, actor, tree, contacts) -> list[CallTreeContact]:
    """Make the tree's contacts exactly `contacts`, in that order: dicts of `person`, `role`
    and, optionally, `deputy` (the person's deputy, changed on the person's record through
    the organisation's service, audited there; `actor` must be allowed to change that
    person). A person named twice, a deputy the actor may not set, or a chain of deputies
    that comes back on itself is refused and nothing is changed. Contacts kept are updated,
    the others removed, new ones added; each change audited."""
    from resilia.core import access
    from resilia.org import services as org

    people = [c["person"] for c in contacts]
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:
            raise ValidationError(
                _("%(name)s is named twice in the call tree.") % {"name": person.full_name}
            )
        seen.add(person.pk)
    for c in contacts:
        person, deputy = c["person"], c.get("deputy", UNSET)
        if deputy is UNSET or deputy == person.deputy:
            continue
        if actor is not None and not access.can_write(actor, person):
            raise ValidationError(
                _("You may not change the deputy of %(name)s.") % {"name": person.full_name}
            )
        org.person_update(actor=actor, person=person, deputy=deputy)
    existing = {c.person_id: c for c in tree.contacts.select_related("person")}
    for contact in existing.values():
        if contact.person_id not in seen:
            calltree_contact_remove(actor=actor, contact=contact)
    out = []
    for position, c in enumerate(contacts, start=1):
        person, role = c["person"], c.get("role", "")
        if person.pk in existing:
            contact = existing[person.pk]
            contact.person = person  # the deputy as just saved, for the chain's check
            out.append(
                calltree_contact_update(actor=actor, contact=contact, role=role, position=position)
            )
        else:
            out.append(
                calltree_contact_add(
                    actor=actor, tree=tree, person=person, role=role, position=position
                )
            )
    return out


def calltree_contact_add(*, actor, tree, person, role="", position=None):
    """Add a person to a call tree (a cycle in their deputies is refused)."""
    if position is None:
        position = tree.contacts.count() + 1
    contact = CallTreeContact(tree=tree, person=person, role=role, position=position)
    return object_create(actor=actor, instance=contact)


def calltree_contact_update(*, actor, contact, **fields):
    return object_update(actor=actor, instance=contact, data=fields)


def calltree_contact_remove(*, actor, contact) -> None:
    object_delete(actor=actor, instance=contact)


def policy_create(*, actor, code, name, quorum=1, repeat_limit=0, steps=()) -> EscalationPolicy:
    """A policy and its steps: each a dict of call_tree or team, people (named one by
    one), and wait_minutes."""
    with transaction.atomic():
        policy = object_create(
            actor=actor,
            instance=EscalationPolicy(
                code=code, name=name, quorum=quorum, repeat_limit=repeat_limit
            ),
        )
        for i, step in enumerate(steps, start=1):
            step_add(actor=actor, policy=policy, position=i, **step)
    return policy


def policy_update(*, actor, policy, steps=None, **fields):
    """Change a policy; `steps`, when given, replace its steps (in one transaction)."""
    with transaction.atomic():
        policy = object_update(actor=actor, instance=policy, data=fields)
        if steps is not None:
            policy_steps_set(actor=actor, policy=policy, steps=steps)
    return policy


def policy_delete(*, actor, policy) -> None:
    object_delete(actor=actor, instance=policy)


@transaction.atomic
def policy_steps_set(*, actor, policy, steps) -> list[EscalationStep]:
    """Make the policy's steps exactly `steps` (dicts of call_tree or team, people, and
    wait_minutes), in that order: the n-th existing step takes the n-th entry, extra
    steps are added, the rest removed; each change audited. A policy keeps at least one
    step (a send on a policy without steps could not start)."""
    if not steps:
        raise ValidationError(_("An escalation policy needs at least one step."))
    existing = list(policy.steps.order_by("position", "pk"))
    out = []
    for position, data in enumerate(steps, start=1):
        data = {"call_tree": None, "team": None, "people": [], "wait_minutes": 5} | dict(data)
        if position <= len(existing):
            step = existing[position - 1]
            out.append(step_update(actor=actor, step=step, position=position, **data))
        else:
            out.append(step_add(actor=actor, policy=policy, position=position, **data))
    for step in existing[len(steps) :]:
        step_remove(actor=actor, step=step)
    return out


@transaction.atomic
def step_add(
    *, actor, policy, call_tree=None, team=None, people=(), wait_minutes=5, position=None
) -> EscalationStep:
    """A new step of a policy: a call tree or a team and/or people named one by one (at
    least one of them), then a wait. One audit event, with the people's ids."""
    people = list(people)
    calltrees.check_step_target(call_tree=call_tree, team=team, people=people)
    if position is None:
        position = policy.steps.count() + 1
    step = EscalationStep(
        policy=policy, call_tree=call_tree, team=team, wait_minutes=wait_minutes, position=position
    )
    step.full_clean()
    step.save()
    step.people.set(people)
    changes = diff({}, snapshot(step))
    if people:
        changes["people"] = [None, sorted(p.pk for p in people)]
    record(actor=actor, action="create", obj=step, changes=changes)
    return step


@transaction.atomic
def step_update(*, actor, step, people=UNSET, **fields) -> EscalationStep:
    """Change a step; `people`, when given, replace the people it names (audited with the
    ids before and after). A step left naming nobody is refused and nothing changes."""
    named = list(step.people.all()) if people is UNSET else list(people)
    calltrees.check_step_target(
        call_tree=fields["call_tree"] if "call_tree" in fields else step.call_tree_id,
        team=fields["team"] if "team" in fields else step.team_id,
        people=named,
    )
    step = object_update(actor=actor, instance=step, data=fields)
    if people is not UNSET:
        before = sorted(step.people.values_list("pk", flat=True))
        after = sorted(p.pk for p in named)
        if before != after:
            step.people.set(named)
            record(actor=actor, action="update", obj=step, changes={"people": [before, after]})
    return step


def step_remove(*, actor, step) -> None:
    object_delete(actor=actor, instance=step)


# Sends -------------------------------------------------------------------------------------
def person_language(person) -> str:
    """The recipient's language: their account's choice, else the installation's."""
    user = getattr(person, "user", None)
    return (user.language if user is not None and user.language else None) or (
        settings.LANGUAGE_CODE
    )


def rollcall_people(*, site=None, unit=None):
    """Everyone active at a site or in a unit's subtree."""
    people = Person.objects.filter(is_active=True)
    if site is not None:
        people = people.filter(site=site)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    return people


@transaction.atomic
def send_start(
    *,
    actor,
    title: str,
    template,
    channels,
    kind: str = Send.Kind.ALERT,
    people=(),
    policy=None,
    site=None,
    unit=None,
    context: dict | None = None,
    now: dt.datetime | None = None,
) -> Send:
    """Start a send: to `people`, to a policy's first wave, or (roll-call) to everyone of a
    site or unit. Every message is rendered and length-checked first: nothing half-sent."""
    now = now or timezone.now()
    channels = [c for c in channels if c.is_active]
    if not channels:
        raise ValidationError({"channels": _("Choose at least one active channel.")})
    if kind == Send.Kind.ROLLCALL and site is None and unit is None:
        raise ValidationError(_("A roll-call is for a site or a unit."))
    send = Send(
        title=title,
        kind=kind,
        template=template,
        context=context or {},
        policy=policy,
        site=site,
        unit=unit,
        started_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    send.full_clean()
    send.save()
    send.channels.set(channels)
    if policy is not None:
        steps = list(policy.steps.select_related("call_tree", "team"))
        if not steps:
            raise ValidationError(_("The escalation policy has no steps."))
        recipients = calltrees.step_people(steps[0])
        send.next_wave_at = now + dt.timedelta(minutes=steps[0].wait_minutes)
        send.save(update_fields=["next_wave_at"])
    elif kind == Send.Kind.ROLLCALL:
        recipients = list(rollcall_people(site=site, unit=unit).select_related("user"))
    else:
        recipients = list(people)
    if not recipients:
        raise ValidationError(_("Nobody to notify: the send has no recipients."))
    created = queue_wave(send, recipients, wave=0, now=now)
    record(
        actor=actor,
        action="notify.send_start",
        obj=send,
        changes={"recipients": [None, len(recipients)], "deliveries": [None, created]},
    )
    _dispatch_on_commit(send)
    return send


def _dispatch_on_commit(send) -> None:
    from resilia.notify.tasks import notify_dispatch

    transaction.on_commit(lambda: notify_dispatch.enqueue(send.pk))


def queue_wave(send, recipients, *, wave: int, now) -> int:
    """Create the deliveries of one wave (idempotent: the unique key drops a second run).

    Raises ValidationError before creating anything if a message cannot go on a channel
    (an SMS too long).
    """
    base = settings.SITE_URL
    acked = set(send.acknowledgements.values_list("person_id", flat=True))
    channels = [(c, transport_for(c)) for c in send.channels.all()]
    people = Person.objects.filter(pk__in=[p.pk for p in recipients if p.pk not in acked])
    people = {p.pk: p for p in people.select_related("user")}
    order = [people[p.pk] for p in recipients if p.pk in people]
    # Every send asks for an answer; the code goes on each of the person's messages of the
    # wave (an e-mail's can be answered from the phone too, and a fallback SMS keeps it).
    codes = new_reply_codes(len(order), open_reply_codes())
    rows = []
    for person, code in zip(order, codes, strict=True):
        lang = person_language(person)
        values = send.context | {
            "name": person.full_name,
            "title": send.title,
            "ack_link": ack_url(send.pk, person.pk, base),
            "reply_code": code,
        }
        subject, body = messages.render(send.template, lang, values)
        for channel, transport in channels:
            address = transport.address(person)
            if not address:
                continue
            if channel.kind == "sms_http":
                check_sms(channel, transport, body)
            rows.append(
                Delivery(
                    send=send,
                    person=person,
                    channel=channel,
                    wave=wave,
                    address=address[:200],
                    language=lang,
                    subject=subject[:300],
                    body=body,
                    reply_code=code,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    insert_ignoring_conflicts(Delivery, rows)
    return len(rows)


def open_deliveries():
    """Deliveries a reply can still answer: of a running send, neither failed nor skipped."""
    return Delivery.objects.filter(send__status=Send.Status.RUNNING).exclude(
        status__in=[Delivery.Status.FAILED, Delivery.Status.SKIPPED]
    )


def open_reply_codes() -> set[str]:
    """The reply codes in use: a new one must differ from all of them."""
    return set(open_deliveries().exclude(reply_code="").values_list("reply_code", flat=True))


def insert_ignoring_conflicts(model, objs) -> None:
    """Insert rows, skipping those a unique constraint already holds, as bulk_create(
    ignore_conflicts=True) does, but as one statement executed for every row: the ORM spent
    about a millisecond a row assembling its multi-row INSERTs (a fan-out queues thousands)."""
    if not objs:
        return
    from django.db import connection
    from django.db.models.constants import OnConflict

    ops, q = connection.ops, connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {q(model._meta.db_table)} "
        f"({', '.join(q(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"{ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)}"
    )
    conn = transaction.get_connection()  # not the proxy: 20 fields x 10,000 rows look it up
    values = [[f.get_db_prep_save(f.pre_save(o, True), conn) for f in fields] for o in objs]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, values)


def check_sms(channel, transport, body: str) -> None:
    segments = messages.sms_segments(body)
    limit = int(transport.config.get("max_segments") or 3)
    if segments > limit:
        raise ValidationError(
            _(
                "The message takes %(n)s SMS segments on %(channel)s, more than %(max)s: shorten "
                "the template."
            )
            % {"n": segments, "channel": channel.name, "max": limit}
        )


def positive_count(send) -> int:
    return send.acknowledgements.filter(answer__in=POSITIVE).count()


@transaction.atomic
def send_advance(*, send_id: int, now: dt.datetime) -> str:
    """Advance one send's waves if its next wave is due: stop at the quorum, else notify the
    next step (with the deputies of who did not answer), repeat at most `repeat_limit`."""
    send = Send.objects.select_for_update().get(pk=send_id)
    if send.status != Send.Status.RUNNING or send.next_wave_at is None or send.next_wave_at > now:
        return "not due"
    policy = send.policy
    if positive_count(send) >= policy.quorum:
        return _finish(send, now, "quorum")
    steps = list(policy.steps.select_related("call_tree", "team"))
    wave = send.wave + 1
    if wave >= len(steps) * (policy.repeat_limit + 1):
        return _finish(send, now, "exhausted")
    step = steps[wave % len(steps)]
    answered = set(send.acknowledgements.values_list("person_id", flat=True))
    last = Person.objects.filter(deliveries__send=send, deliveries__wave=send.wave).distinct()
    deputies = []
    for person in last:
        if person.pk not in answered:
            chain = calltrees.deputy_chain(person)[1:]
            deputy = next((p for p in chain if p.is_active), None)
            if deputy is not None:
                deputies.append(deputy)
    recipients = list({p.pk: p for p in [*calltrees.step_people(step), *deputies]}.values())
    queue_wave(send, recipients, wave=wave, now=now)
    send.wave = wave
    send.next_wave_at = now + dt.timedelta(minutes=step.wait_minutes)
    send.save(update_fields=["wave", "next_wave_at"])
    record(
        actor=None,
        action="notify.send_wave",
        obj=send,
        changes={"wave": [wave - 1, wave], "recipients": [None, len(recipients)]},
    )
    _dispatch_on_commit(send)
    return "wave"


def _finish(send, now, why: str) -> str:
    send.status = Send.Status.FINISHED
    send.finished_at = now
    send.next_wave_at = None
    send.save(update_fields=["status", "finished_at", "next_wave_at"])
    send.deliveries.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.SKIPPED)
    record(actor=None, action="notify.send_finish", obj=send, changes={"reason": [None, why]})
    return why


def sends_tick(*, now: dt.datetime | None = None) -> dict:
    """The scheduler's minute: advance every due send; re-dispatch sends with work left."""
    now = now or timezone.now()
    due = Send.objects.filter(status=Send.Status.RUNNING, next_wave_at__lte=now)
    outcomes = {pk: send_advance(send_id=pk, now=now) for pk in due.values_list("pk", flat=True)}
    from resilia.notify.dispatch import stale_before
    from resilia.notify.tasks import notify_dispatch

    pending = (
        Delivery.objects.filter(
            Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=stale_before(now)),
            send__status=Send.Status.RUNNING,
        )
        .order_by()  # not the model's ordering: DISTINCT would then keep one row a delivery
        .values_list("send_id", flat=True)
        .distinct()
    )
    for send_id in pending:
        notify_dispatch.enqueue(send_id)
    return {"advanced": outcomes, "dispatched": sorted(pending)}


@transaction.atomic
def send_close(*, actor, send, now=None) -> Send:
    """End a send by hand (a roll-call that is over, an alert no longer needed)."""
    send = Send.objects.select_for_update().get(pk=send.pk)
    if send.status == Send.Status.RUNNING:
        send.status = Send.Status.FINISHED
        send.finished_at = now or timezone.now()
        send.next_wave_at = None
        send.save(update_fields=["status", "finished_at", "next_wave_at"])
        send.deliveries.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.SKIPPED)
        record(
            actor=actor,
            action="notify.send_close",
            obj=send,
            changes={"status": ["running", "finished"]},
        )
    return send


@transaction.atomic
def acknowledge(*, actor, send, person, answer: str, via: str, now=None) -> Acknowledgement:
    """Record a person's answer; it stops every further message to them for this send,
    whatever the channel, and ends the waves once the quorum is reached."""
    now = now or timezone.now()
    if answer not in send.answers:
        raise ValidationError(_("This answer is not one this message asks for."))
    if not send.deliveries.filter(person=person).exists():
        raise ValidationError(_("This person was not notified by this send."))
    ack, created = Acknowledgement.objects.get_or_create(
        send=send, person=person, defaults={"answer": answer, "via": via, "at": now}
    )
    before = None if created else ack.answer
    if not created and ack.answer != answer:
        ack.answer, ack.via, ack.at = answer, via, now
        ack.save(update_fields=["answer", "via", "at"])
    mine = send.deliveries.filter(person=person)
    mine.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.SKIPPED)
    mine.filter(status__in=[Delivery.Status.SENT, Delivery.Status.DELIVERED]).update(
        status=Delivery.Status.ACKNOWLEDGED
    )
    if created or before != answer:
        record(
            actor=actor,
            action="notify.acknowledge",
            obj=send,
            changes={
                "person": [None, person.full_name],
                "answer": [before, answer],
                "via": [None, via],
            },
        )
    if send.policy_id and send.status == Send.Status.RUNNING:
        if positive_count(send) >= send.policy.quorum:
            _finish(Send.objects.select_for_update().get(pk=send.pk), now, "quorum")
    return ack
