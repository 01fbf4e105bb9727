"""What every officials' page shares: the gate, the grades, the page renderer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from kiosk_ui.tables import feature_label
from kiosk_ui.web import language, render, staff_gate
from servicedesk.accounts.service import Principal

GRADES = ("A", "B", "C", "D")
OFFICIALS = {"official", "admin"}
REFUSAL = "this page is for officials"

official = staff_gate(OFFICIALS, REFUSAL, form_refusal="log in as an official first")
"""The officials' gate: a logged-out visitor of a page is sent to log in, a logged-out
form post gets 403."""

Official = Annotated[Principal, Depends(official)]


def page(request: Request, template: str, official: Principal, **context: Any) -> Response:
    """An officials' page, with indicator names in the page's language."""
    lang = language(request)
    return render(
        request,
        template,
        principal=official,
        label=lambda n: feature_label(n, lang),
        **context,
    )
