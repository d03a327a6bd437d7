"""What page routes ask for: the renderer and the labels, kept on `app.state` by
`install_pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from search_api.pages.render import Labels, Renderer


def page_renderer(request: Request) -> Renderer:
    return request.app.state.renderer


def page_labels(request: Request) -> Labels:
    return request.app.state.labels


PageRenderer = Annotated[Renderer, Depends(page_renderer)]
PageLabels = Annotated[Labels, Depends(page_labels)]
