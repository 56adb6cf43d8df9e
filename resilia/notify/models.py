"""Notification: channels, templates, call trees, escalation policies, sends, deliveries with
their attempts, and acknowledgements (issue 12; CONVENTIONS.md item 9)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.access import ScopedQuerySet
from resilia.core.models import BilingualName, code_validator
from resilia.org.models import Person, Site, Team, Unit


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail (SMTP)")
    SMS = "sms_http", _("SMS through an HTTP gateway")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    WEBHOOK = "webhook", _("Webhook (HMAC signed)")


class Channel(models.Model):
    """A configured way to reach people: one transport kind and its configuration.

    A permanent transport error switches the channel off (`is_active`, `disabled_reason`) and
    tells the administrators; `fallback` takes the deliveries the channel cannot carry in time
    (a group robot over its rate limit).
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.TextField(_("why it was switched off"), blank=True)
    fallback = models.ForeignKey(
        "self",
        verbose_name=_("fallback channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fallback_for",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=10)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["priority", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notify:channel_detail", args=[self.pk])

    def clean(self):
        super().clean()
        from resilia.notify.transports import TRANSPORTS

        if self.kind in TRANSPORTS:
            TRANSPORTS[self.kind](self).validate_config()
        if self.fallback_id and self.fallback_id == self.pk:
            from django.core.exceptions import ValidationError

            raise ValidationError({"fallback": _("A channel cannot be its own fallback.")})


class MessageTemplate(models.Model):
    """A bilingual message with placeholders ({incident}, {plan}, {ack_link}, ...)."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    subject = models.CharField(_("subject (Chinese)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code"]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("notify:template_list")

    def clean(self):
        super().clean()
        from resilia.notify.messages import check_placeholders

        check_placeholders(self)


class CallTree(BilingualName):
    """Ordered contacts per role, built from a team or by hand; a person's deputy steps in."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_trees",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call tree")
        verbose_name_plural = _("call trees")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("notify:calltree_detail", args=[self.pk])


class CallTreeContact(models.Model):
    """One person in a call tree: their role and their place in the order."""

    tree = models.ForeignKey(
        CallTree, verbose_name=_("call tree"), on_delete=models.CASCADE, related_name="contacts"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    role = models.CharField(_("role"), max_length=100, blank=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="call_trees"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call tree contact")
        verbose_name_plural = _("call tree contacts")
        ordering = ["tree", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tree", "person"],
                name="calltree_contact_unique",
                violation_error_message=_("This person is already in the call tree."),
            )
        ]

    def __str__(self):
        return f"{self.tree} / {self.person}"

    def clean(self):
        super().clean()
        if self.person_id:
            from resilia.notify.calltrees import check_deputy_chain

            check_deputy_chain(self.person)


class EscalationPolicy(models.Model):
    """Waves: notify a step's people, wait, go on while fewer than `quorum` acknowledged,
    start again from the first step at most `repeat_limit` times (Grafana OnCall's defaults:
    wait 5 minutes, repeat at most 5 times)."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    quorum = models.PositiveIntegerField(
        _("acknowledgements needed"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("The waves stop once this many people have acknowledged."),
    )
    repeat_limit = models.PositiveSmallIntegerField(
        _("repeats"), default=0, validators=[MaxValueValidator(5)]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notify:policy_detail", args=[self.pk])


class EscalationStep(models.Model):
    """One wave of a policy: a call tree or a team, and/or people named one by one, then a
    wait before the next wave. A step names at least one of them (checked by the services:
    a database constraint cannot see a many-to-many)."""

    policy = models.ForeignKey(
        EscalationPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    call_tree = models.ForeignKey(
        CallTree, verbose_name=_("call tree"), null=True, blank=True, on_delete=models.PROTECT
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT
    )
    people = models.ManyToManyField(
        Person, verbose_name=_("people"), blank=True, related_name="escalation_steps"
    )
    wait_minutes = models.PositiveIntegerField(
        _("wait (minutes)"), default=5, validators=[MinValueValidator(1)]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["policy", "position", "pk"]

    def __str__(self):
        return f"{self.policy} #{self.position}"


class Answer(models.TextChoices):
    ACK = "ack", _("Acknowledged")
    COMING = "coming", _("I can come")
    CANNOT = "cannot", _("I cannot come")
    SAFE = "safe", _("I am safe")
    HELP = "help", _("I need help")


class Send(models.Model):
    """One notification event: a message to people, in waves when it has a policy.

    A roll-call ("are you safe?") is a send to everyone of a site or a unit that asks
    "I am safe / I need help".
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        CALLOUT = "callout", _("Call-out (can you come?)")
        ROLLCALL = "rollcall", _("Safety roll-call")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ALERT)
    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("template"), on_delete=models.PROTECT
    )
    context = models.JSONField(_("placeholders"), default=dict, blank=True)
    policy = models.ForeignKey(
        EscalationPolicy,
        verbose_name=_("escalation policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    channels = models.ManyToManyField(Channel, verbose_name=_("channels"))
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    # The wave counter: wave n is step (n % steps) of round (n // steps).
    wave = models.PositiveIntegerField(default=0)
    next_wave_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("send")
        verbose_name_plural = _("sends")
        ordering = ["-started_at", "-pk"]
        indexes = [
            # The scheduler's tick: running sends whose next wave is due.
            models.Index(fields=["status", "next_wave_at"], name="notify_send_due"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notify:send_detail", args=[self.pk])

    @property
    def answers(self) -> list[str]:
        if self.kind == self.Kind.ROLLCALL:
            return [Answer.SAFE, Answer.HELP]
        if self.kind == self.Kind.CALLOUT:
            return [Answer.COMING, Answer.CANNOT]
        return [Answer.ACK]


class Delivery(models.Model):
    """One message to one person on one channel in one wave, with its state.

    Unique per (send, person, channel, wave): a re-run of the fan-out creates nothing twice.
    A worker claims a row (status SENDING, `claimed_at`, its batch's `claim` token) before it
    sends, and records the outcome only while the row still holds that token; a row left
    SENDING by a dead worker is sent again after its lease with the same `key` (Message-ID,
    Idempotency-Key), so a receiver can drop the copy.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")
        DELIVERED = "delivered", _("Delivered")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        SKIPPED = "skipped", _("Not sent (already acknowledged)")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="deliveries")
    wave = models.PositiveIntegerField(default=0)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    address = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The batch that holds the row: a late worker cannot record over a row taken back from it.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    # What the person replies by SMS ("<code> 2"): one code for a person's messages of a
    # wave, unique among the open deliveries, accepted only from the number it was sent to.
    reply_code = models.CharField(_("reply code"), max_length=6, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["send", "wave", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["send", "person", "channel", "wave"], name="delivery_once_per_wave"
            )
        ]
        indexes = [
            # The dispatcher: queued rows of a send that are due, oldest first.
            models.Index(fields=["send", "status", "next_attempt_at"], name="notify_dlv_due"),
            # A channel's rate limit: what it sent since a moment.
            models.Index(fields=["channel", "sent_at"], name="notify_dlv_rate"),
            # The live view and the ack: one person's rows of a send.
            models.Index(fields=["send", "person"], name="notify_dlv_person"),
            # The SMS receiver: the deliveries an inbound reply code names.
            models.Index(
                fields=["reply_code"], condition=~models.Q(reply_code=""), name="notify_dlv_reply"
            ),
        ]

    def __str__(self):
        return f"{self.person} / {self.channel} #{self.wave}"


class Attempt(models.Model):
    """One try of a delivery: its number, outcome, error and duration."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"{self.delivery} ({self.number})"


class Acknowledgement(models.Model):
    """A person's answer to a send: one per person and send (a later answer replaces it)."""

    class Via(models.TextChoices):
        LINK = "link", _("Signed link")
        SMS = "sms", _("SMS reply")
        WEB = "web", _("Web page")
        API = "api", _("API")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="acknowledgements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="acknowledgements")
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    at = models.DateTimeField(_("at"))
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["send", "at"]
        constraints = [
            models.UniqueConstraint(fields=["send", "person"], name="ack_once_per_person")
        ]

    def __str__(self):
        return f"{self.person}: {self.get_answer_display()}"
