"""The shell around every page: header, navigation, language switch, the URL-bound controls.

Controls that choose the view (period, basis, indicator, area) carry pattern ids
`{"type": "q", "name": …}`; one callback writes their values into the URL, and the page is
rendered again from the URL, so a link always opens the same view.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, dcc, html
from flask import request

from dashboard import auth
from zhibiao.i18n import LANGS, t

#: (address, message key) of each page, in the order of the navigation.
NAV: list[tuple[str, str]] = [
    ("/", "overview"),
    ("/rankings", "rankings"),
    ("/warnings", "warnings"),
    ("/area", "area"),
    ("/funnel", "funnel"),
    ("/upload", "upload"),
    ("/brief", "brief"),
]
#: The accounts page: last in the navigation, shown only to admins; its label is ui.admin.nav.
ADMIN_NAV: tuple[str, str] = ("/admin", "admin")
#: Query parameters that follow the user from page to page.
CARRIED = ("period", "basis", "scope", "lang")
#: Every query parameter a view reads.
QUERY_KEYS = ("period", "basis", "scope", "indicator", "area", "lang", "present")
USER_COMPONENT = "session-user"
ALERT = "app-alert"
URL = "url"
#: The id of the page's main landmark, the skip link's target.
MAIN = "main"
#: Mantine's theme: the darkest shade of a colour for filled buttons, light and outline variants
#: (white on blue-9 6.1:1; blue-9 and red-9 text on the page 5.6:1 and 5.1:1; WCAG 1.4.3).
THEME = {"primaryShade": 9}
#: The value of a filter meaning "no filter" (never written into the URL).
ALL_VALUE = "__all__"


def page_key(path: str) -> str | None:
    """The page key of an address ('/rankings' → 'rankings'), None if it is no page."""
    path = "/" + path.strip("/")
    for address, key in [*NAV, ADMIN_NAV]:
        if address == path:
            return key
    if path == "/login":
        return "login"
    return None


def page_title(path: str, lang: str) -> str:
    """The browser title of a page: '排名 · 乡镇指标看板'."""
    app = t("app.title", lang)
    key = page_key(path)
    return f"{nav_label(key, lang)} · {app}" if key else app


def nav_label(key: str, lang: str) -> str:
    """The navigation label of a page key (the accounts page's lives under ui.admin)."""
    return t("ui.admin.nav", lang) if key == ADMIN_NAV[1] else t(f"ui.nav.{key}", lang)


def page_args() -> dict[str, str]:
    """The query of the page being shown (for /_dash-layout: the page that asked for it)."""
    args = dict(request.args)
    if request.path.startswith("/_dash-") and request.referrer:
        args = {**dict(parse_qsl(urlsplit(request.referrer).query)), **args}
    return args


def current_lang() -> str:
    lang = page_args().get("lang")
    return lang if lang in LANGS else auth.request_lang()


def is_present(args: dict[str, Any]) -> bool:
    return str(args.get("present", "")) in ("1", "true", "yes")


def data_attributes(**values: str) -> dict[str, Any]:
    """HTML data-* attributes for a Dash component: `data_attributes(max_bytes="5")` is
    `{"data-max-bytes": "5"}` (Dash takes them as keyword arguments its signatures do not name)."""
    return {"data-" + name.replace("_", "-"): value for name, value in values.items()}


def aria_attributes(**values: str) -> dict[str, Any]:
    """HTML aria-* attributes for a Dash component: `aria_attributes(described_by="x")` is
    `{"aria-describedby": "x"}` (underscores join the words, as ARIA spells them)."""
    return {"aria-" + name.replace("_", ""): value for name, value in values.items()}


def with_query(search: str, **changes: Any) -> str:
    """`search` ('?a=1&b=2') with `changes` applied (None removes a key), as '?…' or ''."""
    query = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    ordered = {k: query[k] for k in QUERY_KEYS if k in query}
    ordered.update({k: v for k, v in query.items() if k not in ordered})
    return "?" + urlencode(ordered) if ordered else ""


def carried_query(search: str) -> str:
    """Only the parameters that follow the user to another page."""
    query = dict(parse_qsl((search or "").lstrip("?")))
    kept = {k: query[k] for k in CARRIED if k in query}
    return "?" + urlencode(kept) if kept else ""


def _nav(lang: str, search: str, path: str, role: str) -> list[Any]:
    links = []
    pages = [*NAV, ADMIN_NAV] if auth.role_allows(role, "admin") else NAV
    for address, key in pages:
        if key == "upload" and not auth.role_allows(role, "analyst"):
            continue
        active = " active" if address == path else ""
        links.append(
            dcc.Link(
                nav_label(key, lang),
                href=address + carried_query(search),
                id={"type": "nav", "page": address},
                className="nav-link" + active,
            )
        )
    return links


def _lang_switch(lang: str, args: dict[str, str], path: str) -> Any:
    other = "en" if lang == "zh" else "zh"
    search = with_query("?" + urlencode(args), lang=other)
    return html.A(
        t("ui.lang.switch_to", lang),
        href=path + search,
        id="lang-switch",
        className="lang-switch",
        lang="en" if other == "en" else "zh-CN",
    )


def _user_box(lang: str, user: dict[str, str] | None) -> Any:
    if not user:
        return html.Span()
    return html.Form(
        [
            html.Span(
                t(
                    "ui.auth.signed_in",
                    lang,
                    name=user["name"],
                    role=t(f"ui.role.{user['role']}", lang),
                ),
                className="user-name",
            ),
            dcc.Input(type="hidden", name=auth.CSRF_FIELD, value=auth.csrf_token()),
            html.Button(t("ui.auth.logout", lang), type="submit", className="logout"),
        ],
        method="post",
        action="/logout",
        className="user-box",
    )


def shell() -> Any:
    """The app layout (a function: built per page load, in the request's language)."""
    args = page_args()
    lang = current_lang()
    present = is_present(args)
    user = auth.flask_session_user()
    path = (
        urlsplit(request.referrer).path
        if request.path.startswith("/_dash-") and request.referrer
        else request.path
    )
    search = "?" + urlencode(args) if args else ""
    header = html.Header(
        [
            html.Div(
                [html.Span(t("app.name", lang), className="brand-mark"), t("app.title", lang)],
                className="brand",
            ),
            html.Nav(
                _nav(lang, search, path, (user or {}).get("role", "viewer")),
                id="nav",
                className="nav",
            ),
            html.Div(
                [_lang_switch(lang, args, path), _user_box(lang, user)], className="header-tools"
            ),
        ],
        className="app-header",
    )
    # the one main landmark; focusable from script only, so the skip link can land in it
    body = html.Main(
        [
            dcc.Location(id=URL, refresh="callback-nav"),
            dcc.Store(id=USER_COMPONENT, data=(user or {}).get("name")),
            dmc.Alert(
                id=ALERT, hide=True, color="red", withCloseButton=True, className="app-alert"
            ),
            html.Div(dash.page_container, className="page"),
        ],
        id=MAIN,
        tabIndex="-1",
        className="app-main",
    )
    skip = html.A(t("ui.a11y.skip", lang), href=f"#{MAIN}", className="skip-link")
    return dmc.MantineProvider(
        html.Div(
            [skip, header, body] if not present else [body],
            className="app present" if present else "app",
            lang="zh-CN" if lang == "zh" else "en",
        ),
        forceColorScheme="light",
        theme=THEME,
    )


# --- controls the pages use ----------------------------------------------------------------


def query_select(name: str, label: str, options: list[tuple[str, str]], value: str | None) -> Any:
    """A select bound to the URL parameter `name`. Its list opens on a click, a key or typing,
    not on focus: the page gives the focus back to the control after each change (a11y.js), and
    a list opening by itself then would cover the page and be read out again."""
    return dmc.Select(
        id={"type": "q", "name": name},
        label=label,
        data=[{"value": v, "label": text} for v, text in options],
        value=value,
        allowDeselect=False,
        searchable=len(options) > 12,
        openOnFocus=False,
        checkIconPosition="right",
        className=f"control control-{name}",
        comboboxProps={"withinPortal": True},
    )


def basis_control(lang: str, value: str) -> Any:
    """Year to date or the single month, bound to `basis`."""
    return dmc.SegmentedControl(
        id={"type": "q", "name": "basis"},
        data=[{"value": b, "label": t(f"ui.basis.{b}", lang)} for b in ("ytd", "month")],
        value=value,
        className="control control-basis",
        **aria_attributes(label=t("ui.control.basis", lang)),
    )


def controls_bar(*items: Any) -> Any:
    return html.Div(list(items), className="controls no-print")


def register_callbacks(app: dash.Dash) -> None:
    """The URL follows the controls; navigation links carry period, basis and language."""

    @app.callback(
        Output(URL, "search"),
        Input({"type": "q", "name": ALL}, "value"),
        State({"type": "q", "name": ALL}, "id"),
        State(URL, "search"),
        prevent_initial_call=True,
    )
    def controls_to_url(values: list[Any], ids: list[dict], search: str) -> str:
        if not dash.ctx.triggered_id:
            # the controls of a page just drawn, not a choice of the user
            raise dash.exceptions.PreventUpdate
        changes = {
            i["name"]: (None if v == ALL_VALUE else v) for i, v in zip(ids, values, strict=False)
        }
        new = with_query(search or "", **changes)
        if new == (search or ""):
            raise dash.exceptions.PreventUpdate
        return new

    @app.callback(
        Output({"type": "nav", "page": ALL}, "href"),
        Output({"type": "nav", "page": ALL}, "className"),
        Input(URL, "search"),
        Input(URL, "pathname"),
        State({"type": "nav", "page": ALL}, "id"),
    )
    def nav_follows_url(search: str, pathname: str, ids: list[dict]) -> tuple[list, list]:
        query = carried_query(search or "")
        hrefs = [i["page"] + query for i in ids]
        classes = ["nav-link active" if i["page"] == pathname else "nav-link" for i in ids]
        return hrefs, classes
