"""Sections that higher apps (filings, compliance) add to an account's or group's detail
page. The registry renders them without importing those apps: each app registers a
callable `(request, record) -> html | None` in its AppConfig.ready()."""

from collections.abc import Callable

Panel = Callable[..., str | None]
_PANELS: list[tuple[int, Panel]] = []


def register_panel(panel: Panel, *, order: int = 100) -> Panel:
    if all(existing is not panel for _, existing in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda item: item[0])
    return panel


def render_panels(request, record) -> list[str]:
    return [html for _, panel in _PANELS if (html := panel(request, record))]
