"""Sections that apps above add to an activity's or a resource's page.

The dependency model sits below the apps that plan for it (the strategies, the plans), so it
offers a registry: an app above registers a panel from its AppConfig.ready() (strategies
does), and the detail page shows what every panel renders for the node, as the reader may see
it. A panel is `panel(request, node) -> str` (HTML, already escaped; "" to show nothing); it
reads through the access choke point itself and keeps to a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

_PANELS: list[Callable[..., str]] = []


def register_panel(panel: Callable[..., str]) -> None:
    """Add a panel to the activity and resource pages (from an AppConfig.ready)."""
    if panel not in _PANELS:
        _PANELS.append(panel)


def panels_for(request, node) -> list[SafeString]:
    """What every registered panel shows on this node's page, in registration order."""
    shown = []
    for panel in _PANELS:
        html = panel(request, node)
        if html:
            shown.append(SafeString(html))
    return shown
