"""What every administration page shares: the gate, form parsing, the page renderer."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from kiosk_ui.web import PageForm, render, staff_gate
from servicedesk.accounts.service import Principal
from servicedesk.errors import InvalidInput

admin_gate = staff_gate(
    {"admin"}, "this page is for administrators", form_refusal="log in as an administrator first"
)
Admin = Annotated[Principal, Depends(admin_gate)]
M = TypeVar("M", bound=BaseModel)
NAV = (
    ("/admin", "开园向导"),
    ("/admin/incubators", "孵化器管理"),
    ("/admin/points", "服务点管理"),
    ("/admin/matters", "事项与材料"),
    ("/admin/users", "用户管理"),
    ("/admin/kiosks", "自助终端管理"),
    ("/admin/workdays", "工作日调整"),
    ("/admin/catalogue", "清单文件"),
)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """The form's values as ``model`` checks them, or a 422 naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()
        ]
        raise InvalidInput("; ".join(problems), extra={"problems": problems}) from None


def words(raw: str) -> list[str]:
    """A comma- or space-separated list typed in one field ("ai, it" → ["ai", "it"])."""
    return [w for w in raw.replace("，", ",").replace(",", " ").split() if w]


def optional(raw: str) -> str | None:
    return raw.strip() or None


def checked(form: PageForm, name: str) -> bool:
    return form.text(name) in {"on", "true", "1"}


def values(form: PageForm, *names: str) -> dict[str, str]:
    """What the administrator typed, to put back into the form after a refusal."""
    return {name: form.text(name) for name in names}


def page(
    request: Request,
    template: str,
    admin: Principal,
    *,
    error: str = "",
    status_code: int = 200,
    **context: Any,
) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        principal=admin,
        nav=NAV,
        error=error,
        done=request.query_params.get("done", ""),
        **context,
    )
