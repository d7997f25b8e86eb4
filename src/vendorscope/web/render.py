"""Server-rendered pages: Jinja2 with autoescaping, the navigation, and the signed-in user in every template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from vendorscope import __version__
from vendorscope.server.accounts import Principal
from vendorscope.web.charts import bar_chart, coverage_bar

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.globals.update(bar_chart=bar_chart, coverage_bar=coverage_bar, version=__version__)
TEMPLATES.env.filters["pct"] = lambda v: f"{v * 100:.0f}%"


def page(
    request: Request, template: str, user: Principal | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    nav = [
        entry
        for entry in request.app.state.nav
        if user is not None and user.can(entry.permission) and not (entry.agency_only and user.org)
    ]
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"user": user, "nav": nav, "csrf": user.csrf if user else "", **context},
        status_code=status_code,
    )
