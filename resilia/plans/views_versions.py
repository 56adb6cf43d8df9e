"""The pages of one plan version: the structured plan with its critical path, the editor,
the three signatures, return, publication, retirement, acknowledgement and the DOCX/PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core import reports as r
from resilia.core.trail import record
from resilia.plans import access as plan_access
from resilia.plans import content as c
from resilia.plans import forms as f
from resilia.plans import selectors, services
from resilia.plans.calltrees import plan_calltree, version_calltree_build
from resilia.plans.document import plan_document
from resilia.plans.models import Plan, PlanVersion
from resilia.plans.pack import PACKABLE, build_pack


def get_version(user, pk, number, *, write=False) -> PlanVersion:
    plan = access.get_object_for_user(user, Plan, pk, write=write)
    version = plan.versions.filter(number=number).select_related("plan__unit").first()
    if version is None:
        raise Http404
    return version


def _may(user, v) -> dict:
    """Which actions the version's page offers this user (the decisions of plans.access)."""
    return {
        "edit": plan_access.may_edit(user, v),
        "submit": plan_access.may_submit(user, v),
        "review": plan_access.may_review(user, v)
        and not v.signatures.filter(role="reviewer").exists(),
        "approve": plan_access.may_approve(user, v),
        "publish": plan_access.may_publish(user, v),
        "retire": plan_access.may_retire(user, v),
        "pack": v.status in PACKABLE,
        "calltree": plan_access.may_build_calltree(user, v),
        "ack": v.status == "published"
        and getattr(user, "person_id", None) is not None
        and v.plan.distribution.filter(pk=user.person_id).exists()
        and not v.acknowledgements.filter(person_id=user.person_id).exists(),
    }


@login_required
def version_detail(request, pk, number):
    v = get_version(request.user, pk, number)
    user = request.user
    body = c.normalised(v.content)
    labels = dict(c.AUDIENCES)
    for m in body["communications"]:
        m["audience_label"] = labels.get(m.get("audience"), m.get("audience"))
    body["levels"] = c.level_rows(body["levels"])
    return render(
        request,
        "plans/version_detail.html",
        {
            "obj": v.plan,
            "v": v,
            "body": body,
            "paths": selectors.activity_paths(v),
            "phases": selectors.steps_by_phase(v),
            "call_tree": selectors.call_tree(user=user, plan_version=v),
            "notify_tree": plan_calltree(v.plan, user=user),
            "signatures": list(v.signatures.order_by("signed_at")),
            "may": _may(user, v),
            "sign_form": f.SignForm(),
            "return_form": f.ReturnForm(),
        },
    )


def _bind(request, v):
    data = request.POST if request.method == "POST" else None
    user = request.user
    if data is None:
        initial = f.formset_initial(v)
        form = f.VersionForm(initial=f.VersionForm.initial_for(v), user=user, version=v)
        steps = f.StepFormSet(initial=initial["steps"], prefix="steps")
        roles = f.RoleFormSet(initial=initial["roles"], prefix="roles", form_kwargs={"user": user})
        comms = f.CommunicationFormSet(initial=initial["communications"], prefix="comms")
        levels = f.LevelFormSet(initial=initial["levels"], prefix="levels")
    else:
        form = f.VersionForm(data, user=user, version=v)
        steps = f.StepFormSet(data, prefix="steps")
        roles = f.RoleFormSet(data, prefix="roles", form_kwargs={"user": user})
        comms = f.CommunicationFormSet(data, prefix="comms")
        levels = f.LevelFormSet(data, prefix="levels")
    return form, steps, roles, comms, levels


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk, number):
    v = get_version(request.user, pk, number, write=True)
    if not plan_access.may_edit(request.user, v):
        messages.error(request, _("Only a draft can be edited; start a new version."))
        return redirect(v)
    form, steps, roles, comms, levels = _bind(request, v)
    errors = []
    bound = (form, steps, roles, comms, levels)
    if request.method == "POST" and all([x.is_valid() for x in bound]):  # every form's errors
        body, unknown = f.build_content(form, steps, roles, comms, levels)
        if unknown:
            errors.append(
                _("Steps name activities outside the scope: %(codes)s.")
                % {"codes": ", ".join(unknown)}
            )
        else:
            data = form.cleaned_data
            try:
                services.version_update(
                    actor=request.user, version=v, content=body,
                    change_note=data["change_note"], activities=list(data["activities"]),
                    resources=list(data["resources"]), sites=list(data["sites"]),
                    alternate_site=data["alternate_site"],
                )  # fmt: skip
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("The draft is saved; the critical path is recomputed."))
                return redirect(v)
    ctx = {"obj": v.plan, "v": v, "form": form, "steps": steps, "roles": roles, "comms": comms,
           "levels": levels, "errors": errors, "placeholders": c.PLACEHOLDERS}  # fmt: skip
    return render(request, "plans/version_edit.html", ctx, status=400 if errors else 200)


SIGNERS = {
    "author": lambda **kw: services.version_submit(**kw),
    "reviewer": lambda **kw: services.version_review(**kw),
    "approver": lambda **kw: services.version_approve(**kw),
}


@login_required
@require_POST
def version_sign(request, pk, number, role):
    v = get_version(request.user, pk, number)
    if role not in SIGNERS:
        raise Http404
    form = f.SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your password to sign."))
        return redirect(v)
    kwargs = {"actor": request.user, "version": v, "password": form.cleaned_data["password"]}
    if role != "author":
        kwargs["comment"] = form.cleaned_data["comment"]
    try:
        SIGNERS[role](**kwargs)
    except PermissionDenied:
        messages.error(request, _("You may not sign this version in this role."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Signed. The SHA-256 of the content is recorded."))
    return redirect(v)


def _action(request, v, service, done, **kwargs):
    try:
        service(actor=request.user, version=v, **kwargs)
    except PermissionDenied:
        messages.error(request, _("You may not do this on this version."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(v)


@login_required
@require_POST
def version_return(request, pk, number):
    v = get_version(request.user, pk, number)
    comment = request.POST.get("comment", "")
    done = _("Returned to the author as a draft.")
    return _action(request, v, services.version_return, done, comment=comment)


@login_required
@require_POST
def version_publish(request, pk, number):
    v = get_version(request.user, pk, number)
    done = _("Published; the distribution list can acknowledge it.")
    return _action(request, v, services.version_publish, done)


@login_required
@require_POST
def version_retire(request, pk, number):
    v = get_version(request.user, pk, number)
    return _action(request, v, services.version_retire, _("The plan is retired."))


@login_required
@require_POST
def acknowledge(request, pk, number):
    v = get_version(request.user, pk, number)
    done = _("Thank you: your reading is recorded.")
    return _action(request, v, services.version_acknowledge, done)


@login_required
@require_POST
def version_calltree(request, pk, number):
    """Create or update the plan's notification call tree, then show it."""
    v = get_version(request.user, pk, number)
    try:
        tree, created = version_calltree_build(actor=request.user, version=v)
    except PermissionDenied:
        messages.error(request, _("You may not do this on this version."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("The call tree “%(name)s” was created from the plan.") if created else None
        done = done or _("The call tree “%(name)s” was updated from the plan.")
        messages.success(request, done % {"name": tree.display_name})
        return redirect(tree)
    return redirect(v)


@login_required
def version_export(request, pk, number, fmt):
    v = get_version(request.user, pk, number)
    if fmt not in ("pdf", "docx"):
        raise Http404
    doc = plan_document(user=request.user, plan_version=v)
    content = r.render(doc, fmt, template=r.TEMPLATE if fmt == "docx" else None)
    record(
        actor=request.user,
        action="export",
        obj=v,
        changes={"format": fmt},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=r.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{v.plan.code}-v{v.number}-{stamp}.{fmt}"'
    )
    return response


@login_required
def version_pack(request, pk, number):
    """The offline pack of an approved or published version, as the reader may see it, in
    their language; each download is recorded (who, version, manifest) and audited."""
    v = get_version(request.user, pk, number)
    if v.status not in PACKABLE:
        messages.error(request, _("Only an approved or published version has an offline pack."))
        return redirect(v)
    built = build_pack(v, user=request.user)
    services.pack_issue(actor=request.user, version=v, manifest_sha256=built.manifest_sha256)
    response = HttpResponse(built.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response
