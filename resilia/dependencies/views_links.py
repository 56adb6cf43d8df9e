"""Dependency links, edited from either end on a node's page (htmx partials), the node
autocomplete and the model-check page.

A link is written through access to its DEPENDENT (get_object_for_user(..., write=True)); the
node it needs only has to be readable. Every refusal names the link, in the user's language.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resilia.core import access
from resilia.dependencies import rules, selectors, services
from resilia.dependencies.filters import ActivityFilterSet, ResourceFilterSet
from resilia.dependencies.forms import LinkEditForm, LinkForm, parse_node_key
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.dependencies.panels import panels_for

ENDS = ("dependent_activity", "dependent_resource", "dependency_activity", "dependency_resource")
MODELS = {"activity": Activity, "resource": Resource}
AUTOCOMPLETE_LIMIT = 20
# "What needs it" is paged: a hub of a large model (a data centre, a core network) is needed by
# tens of thousands of nodes, and listing them all made its page megabytes long.
NEEDED_BY_PER_PAGE = 50


def node_kind(node) -> str:
    return "activity" if isinstance(node, Activity) else "resource"


def node_key(node) -> str:
    return f"{node_kind(node)}:{node.pk}"


def link_name(dependent, dependency) -> str:
    return _("%(dependent)s → %(dependency)s") % {
        "dependent": dependent,
        "dependency": dependency,
    }


# Reading the links of a node -----------------------------------------------------------------


def _readable_ends(user, links) -> dict[str, set[int]]:
    """Per kind, the pks of the nodes at the ends of these links that the user may read."""
    wanted = {"activity": set(), "resource": set()}
    for link in links:
        for end in ENDS:
            pk = getattr(link, f"{end}_id")
            if pk:
                wanted[end.split("_", 1)[1]].add(pk)
    return {
        kind: set(
            MODELS[kind].objects.for_user(user).filter(pk__in=pks).values_list("pk", flat=True)
        )
        if pks
        else set()
        for kind, pks in wanted.items()
    }


def _shown(node, readable) -> object | None:
    """The node, or None when the user may not read it (its name is then not shown)."""
    return node if node is not None and node.pk in readable[node_kind(node)] else None


def _needed_by(request, kind: str, node):
    """The page of the links that need `node` and those links. For a scoped reader the page is
    cut from the pks selectors.needed_by_scoped keeps per model state, and its links read
    again through the choke point."""
    user = request.user
    links = Dependency.objects.for_user(user).select_related(*ENDS).order_by("pk")
    scoped = selectors.needed_by_scoped(user, kind, node.pk)
    if scoped is None:
        rows = links.filter(**{f"dependency_{kind}": node})
        page = Paginator(rows, NEEDED_BY_PER_PAGE).get_page(request.GET.get("needed_page"))
        return page, list(page.object_list)
    page = Paginator(scoped, NEEDED_BY_PER_PAGE).get_page(request.GET.get("needed_page"))
    return page, list(links.filter(pk__in=[int(pk) for pk in page.object_list]))


def links_context(request, node, *, needs_form=None, needed_by_form=None, edit=None) -> dict:
    """What the links section of a node's page shows: what it needs (AND links and OR groups,
    lonely groups flagged), what needs it, and the forms to add links from this end."""
    user = request.user
    kind = node_kind(node)
    needs = list(
        Dependency.objects.filter(**{f"dependent_{kind}": node})
        .select_related(*ENDS)
        .order_by("group", "pk")
    )
    needed_page, needed_by = _needed_by(request, kind, node)
    readable = _readable_ends(user, needs + needed_by)
    can_write = access.can_write(user, node)
    writable_in = set(
        Dependency.objects.for_user(user, write=True)
        .filter(pk__in=[link.pk for link in needed_by])
        .values_list("pk", flat=True)
    )
    and_rows, groups = [], {}
    for link in needs:
        row = {"link": link, "other": _shown(link.dependency, readable), "can_edit": can_write}
        (groups.setdefault(link.group, []) if link.group else and_rows).append(row)
    needed_rows = [
        {
            "link": link,
            "other": _shown(link.dependent, readable),
            "can_edit": link.pk in writable_in,
        }
        for link in needed_by
    ]
    group_names = sorted(groups)
    if can_write and needs_form is None:
        needs_form = LinkForm(user=user, direction=LinkForm.NEEDS, groups=group_names)
    can_add_needed_by = access.can_write_kind(user, Activity) or access.can_write_kind(
        user, Resource
    )
    if can_add_needed_by and needed_by_form is None:
        needed_by_form = LinkForm(user=user, direction=LinkForm.NEEDED_BY)
    return {
        "node": node,
        "node_key": node_key(node),
        "node_kind": kind,
        "and_rows": and_rows,
        "or_groups": sorted(groups.items()),
        "lonely_groups": [
            rules.lonely_group(name, node.code)
            for name, rows in sorted(groups.items())
            if len(rows) == 1
        ],
        "needed_rows": needed_rows,
        "needed_page": needed_page,
        "can_write_links": can_write,
        "needs_form": needs_form if can_write else None,
        "needed_by_form": needed_by_form if can_add_needed_by else None,
        "group_names": group_names,
        "edit": edit,
    }


def detail_context(request, node, **forms) -> dict:
    user = request.user
    context = {
        "obj": node,
        "can_write": access.can_write(user, node),
        "can_delete": access.can_delete(user, node),
        **links_context(request, node, **forms),
    }
    # Owner and key person as the reader may see them (not a roster: hidden outside scope).
    context["panels"] = panels_for(request, node)  # the strategies' (apps above the model)
    people = [node.owner, getattr(node, "person", None)]
    context["owner_shown"], context["person_shown"] = access.people_shown(user, people)
    if isinstance(node, Resource):
        readable = Resource.objects.for_user(user)
        context["alternates"] = readable.filter(pk__in=node.alternates.values("pk"))
        context["alternate_of"] = readable.filter(alternates=node)
    return context


def render_node(request, node, *, status=200, **forms):
    """The links section for htmx requests, the node's whole page otherwise."""
    if _is_htmx(request):
        context = links_context(request, node, **forms)
        return render(request, "dependencies/_links.html", context)
    template = f"dependencies/{node_kind(node)}_detail.html"
    return render(request, template, detail_context(request, node, **forms), status=status)


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def _node_from(request, kind: str, pk, *, write: bool = False):
    model = MODELS.get(kind)
    if model is None:
        raise Http404
    return access.get_object_for_user(request.user, model, pk, write=write)


# Writing links ------------------------------------------------------------------------------


def _resolve_target(user, form, this, direction):
    """(dependent, dependency) of the link the form asks for, or None with the form's error."""
    parsed = parse_node_key(form.cleaned_data["target"])
    other = None
    if parsed is not None:
        model, pk = parsed
        write = direction == LinkForm.NEEDED_BY
        other = model.objects.for_user(user, write=write).filter(pk=pk).first()
        if other is None and write and model.objects.for_user(user).filter(pk=pk).exists():
            form.add_error(
                "target",
                _("You may not change what “%(node)s” needs.") % {"node": model.objects.get(pk=pk)},
            )
            return None
    if other is None:
        form.add_error(
            "target",
            _(
                "The node chosen for the link from “%(node)s” no longer exists or is not "
                "visible to you; choose it again."
            )
            % {"node": this},
        )
        return None
    dependent, dependency = (this, other) if direction == LinkForm.NEEDS else (other, this)
    name = link_name(dependent, dependency)
    message = rules.link_end_error(rules.node_ref(dependent), rules.node_ref(dependency))
    ends = services._endpoints(dependent, dependency)
    if message is None and Dependency.objects.filter(**ends).exists():
        message = rules.duplicate_link()
    if message is not None:
        form.add_error("target", rules.link_named(name, message))
        return None
    return dependent, dependency


@login_required
@require_POST
def link_add(request, kind, pk, direction):
    """Add "this needs X" (direction needs) or "X needs this" (direction needed_by)."""
    if direction not in (LinkForm.NEEDS, LinkForm.NEEDED_BY):
        raise Http404
    this = _node_from(request, kind, pk, write=direction == LinkForm.NEEDS)
    form = LinkForm(request.POST, user=request.user, direction=direction)
    ends = _resolve_target(request.user, form, this, direction) if form.is_valid() else None
    if ends is not None:
        dependent, dependency = ends
        try:
            services.dependency_create(
                actor=request.user,
                dependent=dependent,
                dependency=dependency,
                group=form.cleaned_data["group"],
                tolerance=form.cleaned_data["tolerance"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            name = link_name(dependent, dependency)
            for message in exc.messages:
                form.add_error(None, rules.link_named(name, message))
        else:
            messages.success(
                request,
                _("Link “%(link)s” was added.") % {"link": link_name(dependent, dependency)},
            )
            if not _is_htmx(request):
                return redirect(this)
            form = None
    key = "needs_form" if direction == LinkForm.NEEDS else "needed_by_form"
    status = 400 if form is not None and form.errors else 200
    return render_node(request, this, status=status, **{key: form})


def _page_node(request, link):
    """The node whose page the request came from (?from=kind:pk), else the link's dependent."""
    parsed = parse_node_key(request.GET.get("from") or request.POST.get("from") or "")
    if parsed is not None:
        model, pk = parsed
        node = model.objects.for_user(request.user).filter(pk=pk).first()
        if node is not None:
            return node
    return link.dependent


@login_required
@require_http_methods(["GET", "POST"])
def link_edit(request, pk):
    """Edit a link in place: group, tolerance, note."""
    link = access.get_object_for_user(request.user, Dependency, pk, write=True)
    page = _page_node(request, link)
    groups = Dependency.objects.filter(
        dependent_activity=link.dependent_activity, dependent_resource=link.dependent_resource
    ).exclude(group="")
    form = LinkEditForm(
        request.POST or None,
        initial={"group": link.group, "tolerance": link.tolerance, "note": link.note},
        groups=groups.values_list("group", flat=True),
        prefix=f"edit-{link.pk}",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dependency_update(actor=request.user, dependency=link, **form.cleaned_data)
        except ValidationError as exc:
            name = link_name(link.dependent, link.dependency)
            for message in exc.messages:
                form.add_error(None, rules.link_named(name, message))
        else:
            if not _is_htmx(request):
                return redirect(page)
            return render_node(request, page)
    return render_node(
        request, page, status=400 if form.errors else 200, edit={"link": link, "form": form}
    )


@login_required
@require_POST
def link_remove(request, pk):
    link = access.get_object_for_user(request.user, Dependency, pk, write=True, delete=True)
    page = _page_node(request, link)
    name = link_name(link.dependent, link.dependency)
    services.dependency_delete(actor=request.user, dependency=link)
    messages.success(request, _("Link “%(link)s” was removed.") % {"link": name})
    if not _is_htmx(request):
        return redirect(page)
    return render_node(request, page)


# Autocomplete -------------------------------------------------------------------------------


@login_required
@require_GET
def autocomplete(request, kind):
    """Up to 20 {id, text} nodes the user may read (or write, with ?write=1) matching ?q=.

    kind "node" mixes activities and resources, with ids "activity:<pk>" / "resource:<pk>".
    """
    kinds = {"activity": ["activity"], "resource": ["resource"], "node": ["activity", "resource"]}
    if kind not in kinds:
        raise Http404
    if not any(access.can_read_kind(request.user, MODELS[each]) for each in kinds[kind]):
        raise PermissionDenied
    write = request.GET.get("write") == "1"
    query = request.GET.get("q", "")[:100]
    results = []
    per_kind = AUTOCOMPLETE_LIMIT // len(kinds[kind])
    for each in kinds[kind]:
        model = MODELS[each]
        if not access.can_read_kind(request.user, model):
            continue
        filterset = (ActivityFilterSet if each == "activity" else ResourceFilterSet)(
            {"q": query}, queryset=model.objects.for_user(request.user, write=write)
        )
        label = model._meta.verbose_name
        for obj in filterset.qs.order_by("code")[:per_kind]:
            ident = f"{each}:{obj.pk}" if kind == "node" else obj.pk
            text = f"{obj.code} · {obj.display_name}"
            results.append({"id": ident, "text": f"{label} · {text}" if kind == "node" else text})
    return JsonResponse({"results": results})
