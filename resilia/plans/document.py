"""The whole plan as one document of the reports kit (resilia.core.reports): DOCX on the
organisation's Word template, PDF with embedded Chinese fonts, HTML. The offline pack reuses
`plan_document` (and selectors.plan_contacts) as they are.

Sections follow the seeds' six-part scheme: scope and objectives, activation (识别),
response levels and escalation (分级管理), reporting (报告), roles and the call tree (关键人员
备份和紧急授权), procedures by phase with the critical path against the RTO (处置, 恢复),
resources and records, communication templates, and the sign-off (编制 / 审核 / 批准).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resilia.core import access
from resilia.core import reports as r
from resilia.core.durations import human_minutes
from resilia.org.models import Unit
from resilia.plans import content as c
from resilia.plans import selectors
from resilia.plans.models import PlanVersion


def _m(value) -> str:
    return human_minutes(value) if value is not None else "—"


def _organisation() -> str:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return root.display_name if root else ""


def _bullets(items, empty) -> r.Bullets | r.Paragraph:
    items = [i for i in items if i]
    return r.Bullets(items) if items else r.Paragraph([empty])


def plan_document(*, user, plan_version: PlanVersion) -> r.Document:
    """The plan version as a document, in the reader's language, from what they may read."""
    plan = plan_version.plan
    if user is not None and not access.readable(user, type(plan).objects.filter(pk=plan.pk)):
        raise PermissionDenied
    body = c.normalised(plan_version.content)
    sigs = {s.role: s for s in plan_version.signatures.all()}
    doc = r.Document(
        title=plan.display_name,
        subtitle=f"{plan.get_kind_display()} · {plan.code} · "
        + _("version %(n)d") % {"n": plan_version.number}
        + f" · {plan_version.get_status_display()}",
        organisation=_organisation(),
        date=formats.date_format(timezone.localdate(), "Y-m-d"),
        classification=_("Internal"),
        metadata=[
            (_("Unit"), plan.unit.display_name),
            (_("Status"), plan_version.get_status_display()),
            (_("Next review"), str(plan.next_review or "—")),
            *[(label, sigs[role].name if role in sigs else "—") for role, label in _sig_roles()],
        ],
        toc=True,
        numbered=True,
    )
    _scope(doc, plan_version, body)
    _activation(doc, body)
    _roles(doc, user, plan_version, body)
    _procedures(doc, plan_version)
    doc.add(r.Heading(_("Resources, alternate site and records")))
    site = plan_version.alternate_site
    doc.add(
        r.Paragraph([_("Alternate site: "), r.Run(site.display_name if site else "—", bold=True)])
    )
    for key, label in (
        ("resources", _("Resources needed")),
        ("vital_records", _("Vital records")),
        ("backlog", _("Transactions that pile up during the outage")),
    ):
        doc.add(r.Heading(label, level=2), _bullets(body[key], _("None")))
    _communications(doc, body)
    _signoff(doc, plan_version, sigs)
    return doc


def _sig_roles():
    return (
        ("author", _("Prepared by")),
        ("reviewer", _("Reviewed by")),
        ("approver", _("Approved by")),
    )


def _scope(doc, version, body):
    doc.add(r.Heading(_("Purpose and scope")), r.Paragraph([body["purpose"] or "—"]))
    paths = {p.activity.pk: p for p in selectors.activity_paths(version)}
    rows = []
    for a in version.activities.select_related("unit").order_by("code"):
        p = paths.get(a.pk)
        late = p is not None and p.late
        rows.append([
            a.code, a.display_name, a.unit.display_name, _m(a.rto), _m(a.rpo), _m(a.mtpd),
            r.Cell(_m(p.best) if p else "—", shade="red" if late else "green"),
            _m(p.worst) if p else "—",
        ])  # fmt: skip
    doc.add(
        r.Heading(_("Activities in scope"), level=2),
        r.Table(
            [
                r.Column(_("Code"), 1),
                r.Column(_("Activity"), 3),
                r.Column(_("Unit"), 2),
                r.Column(_("RTO"), 1),
                r.Column(_("RPO"), 1),
                r.Column(_("MTPD"), 1),
                r.Column(_("Best case"), 1),
                r.Column(_("Worst case"), 1),
            ],  # fmt: skip
            rows,
            caption=_("Recovery objectives (live) against the plan's critical path"),
            empty=_("None"),
        ),
    )
    res = [[x.code, x.display_name, _m(x.recovery_time)]
           for x in version.resources.order_by("code")]  # fmt: skip
    doc.add(
        r.Heading(_("Resources in scope"), level=2),
        r.Table(
            [r.Column(_("Code"), 1), r.Column(_("Resource"), 3), r.Column(_("Recovers in"), 1)],
            res,
            empty=_("None"),
        ),  # fmt: skip
        r.Heading(_("Sites in scope"), level=2),
        _bullets([s.display_name for s in version.sites.order_by("code")], _("None")),
    )


def _activation(doc, body):
    doc.add(
        r.Heading(_("Activation")),
        r.Heading(_("Activation criteria"), level=2),
        _bullets(body["activation"].get("criteria", []), _("None")),
        r.Paragraph(
            [_("Who may activate: "), r.Run(body["activation"].get("who") or "—", bold=True)]
        ),
        r.Heading(_("Response levels and escalation"), level=2),
        r.Table(
            [
                r.Column("#", 1, numeric=True),
                r.Column(capfirst(_("level")), 2),
                r.Column(capfirst(_("activation criteria")), 3),
                r.Column(capfirst(_("who activates and decides")), 2),
                r.Column(capfirst(_("response measures")), 3),
                r.Column(capfirst(_("escalates to the next level when")), 3),
                r.Column(capfirst(_("report to")), 2),
                r.Column(_("Within"), 2),
            ],  # fmt: skip
            [
                [
                    i,
                    lv["name"],
                    lv["criteria"],
                    lv["decides"] or "—",
                    lv["response"],
                    lv["escalate"] or "—",
                    lv["report_to"] or "—",
                    _m(lv["report_within"]),
                ]
                for i, lv in enumerate(c.level_rows(body["levels"]), start=1)
            ],  # fmt: skip
            caption=_("Response levels, from the least to the most serious"),
            empty=_("None"),
        ),
        r.Paragraph([body["escalation"] or "—"]),
        r.Heading(_("Reporting"), level=2),
        r.Table(
            [
                r.Column(_("To"), 2),
                r.Column(_("Within"), 1),
                r.Column(_("Path"), 2),
                r.Column(_("Content"), 3),
            ],  # fmt: skip
            [
                [x["to"], _m(x.get("within")), x.get("path", ""), x.get("content", "")]
                for x in body["reporting"]
            ],  # fmt: skip
            empty=_("None"),
        ),
    )


def _roles(doc, user, version, body):
    doc.add(r.Heading(_("Roles, teams and call tree")))
    for role in selectors.call_tree(user=user, plan_version=version):
        doc.add(r.Heading(role["role"] + (f" · {role['team']}" if role["team"] else ""), level=2))
        if role["authority"]:
            doc.add(r.Paragraph([_("Emergency authority: "), role["authority"]]))
        doc.add(
            r.Table(
                [
                    r.Column("#", 1, numeric=True),
                    r.Column(_("Name"), 2),
                    r.Column(_("Position"), 2),
                    r.Column(_("Mobile"), 2),
                    r.Column(_("Office phone"), 2),
                    r.Column(_("E-mail"), 3),
                ],  # fmt: skip
                [
                    [
                        i,
                        x.name or _("Not visible to you"),
                        x.position_label,
                        x.mobile,
                        x.office_phone,
                        x.email,
                    ]
                    for i, x in enumerate(role["contacts"], start=1)
                ],  # fmt: skip
                empty=_("Nobody is named yet."),
            )
        )


def _procedures(doc, version):
    s = version.schedule or {}
    doc.add(
        r.Heading(_("Procedures")),
        r.Paragraph(
            [
                _("Best case (steps in parallel): "),
                r.Run(_m(s.get("best", 0)), bold=True),
                _("; worst case (one after the other): "),
                r.Run(_m(s.get("worst", 0)), bold=True),
                _("; critical path: "),
                " → ".join(s.get("critical_path", [])) or "—",
            ]
        ),  # fmt: skip
    )
    for _code, label, steps in selectors.steps_by_phase(version):
        doc.add(
            r.Heading(str(label), level=2),
            r.Table(
                [
                    r.Column(_("No."), 1),
                    r.Column(_("Who"), 2),
                    r.Column(_("Does what"), 3),
                    r.Column(_("Where"), 2),
                    r.Column(_("How"), 3),
                    r.Column(_("Duration"), 1),
                    r.Column(pgettext("plan step predecessors", "After"), 1),
                ],  # fmt: skip
                [
                    [
                        r.Cell(
                            x["key"], bold=x["critical"], shade="orange" if x["critical"] else None
                        ),
                        x["who"],
                        x["what"],
                        x["where"],
                        x["how"],
                        _m(x.get("minutes")),
                        ", ".join(x.get("after") or ()),
                    ]
                    for x in steps
                ],  # fmt: skip
            ),
        )


def _communications(doc, body):
    doc.add(r.Heading(_("Communication templates")))
    labels = dict(c.AUDIENCES)
    for m in body["communications"]:
        doc.add(
            r.Heading(str(labels.get(m["audience"], m["audience"])), level=2),
            r.Paragraph([r.Run(m["subject"], bold=True)]),
            r.Paragraph([m["body"]]),
        )
    if not body["communications"]:
        doc.add(r.Paragraph([_("None")]))


def _signoff(doc, version, sigs):
    doc.add(
        r.Heading(_("Sign-off")),
        r.Table(
            [
                r.Column(_("Role"), 2),
                r.Column(_("Name"), 2),
                r.Column(_("Signed"), 2),
                r.Column(_("SHA-256 of the content"), 5),
            ],  # fmt: skip
            [
                [
                    label,
                    sigs[role].name,
                    formats.date_format(timezone.localtime(sigs[role].signed_at), "Y-m-d H:i"),
                    sigs[role].sha256,
                ]
                if role in sigs
                else [label, "—", "—", "—"]
                for role, label in _sig_roles()
            ],  # fmt: skip
        ),
        r.Paragraph([_("Change note: "), version.change_note]),
    )
