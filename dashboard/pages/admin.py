"""账号 accounts (admins): the list of accounts, add one, change a role, (de)activate, reset a password.

Only admins see the page and its navigation link. Every callback here changes data, so each is
refused twice on the server: by the login wall (its outputs are guarded for the admin role,
read afresh from the store, and the user the request names must be the session's) and by the
callback itself, which reads the session user's stored role again before it touches anything.
The rules of an account (accounts.add_account and friends) live in views.py, where tests reach them.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import Input, Output, State, dcc, html, no_update

from dashboard import accounts, auth
from dashboard import layout as shell
from dashboard.pages import _common as c
from dashboard.state import state, state_of
from store import Store
from zhibiao.i18n import t
from zhibiao.vocabulary import ROLES

PATH = "/admin"
NEEDED_ROLE = "admin"
#: Outputs only an admin's request may reach (the login wall reads these).
GUARDED_OUTPUTS = ("admin-add-result", "admin-change-result")
#: The two forms side by side, and a row of controls (the shared stylesheet has no rule for them).
FORMS_STYLE = {"display": "grid", "gridTemplateColumns": "1fr 1fr", "gap": "2rem"}
FORM_STYLE = {"display": "flex", "flexDirection": "column", "gap": "0.6rem"}
ROW_STYLE = {"display": "flex", "gap": "0.75rem", "alignItems": "flex-end", "flexWrap": "wrap"}
#: The buttons of the change form.
CHANGE_BUTTONS = ("admin-set-role", "admin-deactivate", "admin-reactivate", "admin-reset")

dash.register_page(
    __name__, path=PATH, name="admin", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def acting_admin(store: Store, claimed: str | None) -> dict[str, str] | None:
    """The session user if their stored role is admin and the request names no one else."""
    user = auth.current_user(store)
    if user is None or not auth.role_allows(user["role"], NEEDED_ROLE):
        return None
    if claimed is not None and claimed != user["name"]:
        return None
    return user


def heading(lang: str) -> Any:
    return html.Div(
        [html.H1(t("ui.admin.title", lang), className="page-title")], className="page-head"
    )


def role_options(lang: str) -> list[dict[str, str]]:
    return [{"value": r, "label": t(f"ui.role.{r}", lang)} for r in ROLES]


def target_options(store: Store) -> list[dict[str, str]]:
    return [{"value": u["name"], "label": u["name"]} for u in store.users()]


def accounts_grid(store: Store, lang: str) -> Any:
    columns = [
        {"field": k, "headerName": t(f"ui.admin.col_{k}", lang), "flex": 1}
        for k in ("name", "role", "active", "created")
    ]
    return dag.AgGrid(
        id="admin-accounts",
        rowData=accounts.account_rows(store.users(), lang, state().settings.zone),
        columnDefs=columns,
        getRowId="params.data.name",
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={"domLayout": "autoHeight", "suppressCellFocus": True},
        className="ag-theme-quartz admin-accounts",
        style={"height": None, "width": "100%"},
    )


def audit_table(store: Store, lang: str) -> Any:
    rows = accounts.audit_rows(
        store.audit_log(accounts.ADMIN_AUDIT_ROWS), lang, state().settings.zone
    )
    if not rows:
        return html.P(t("ui.admin.no_audit", lang), className="muted")
    keys = ("when", "user", "action", "detail")
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"ui.admin.audit_{k}", lang)) for k in keys])),
            html.Tbody([html.Tr([html.Td(str(r[k])) for k in keys]) for r in rows]),
        ],
        className="data-table audit-table",
        id="audit-table",
    )


def outcome_alert(outcome: accounts.Outcome, lang: str, alert_id: str) -> Any:
    return dmc.Alert(
        outcome.text(lang),
        color="green" if outcome.ok else "red",
        id=alert_id,
        className="admin-outcome " + ("ok" if outcome.ok else "refused"),
    )


def forbidden(lang: str, alert_id: str) -> Any:
    return dmc.Alert(t("ui.auth.forbidden", lang), color="red", id=alert_id)


def password_inputs(lang: str, prefix: str, label_key: str) -> list[Any]:
    """A new password (with the length hint) and the same again: `<prefix>-password`, `-again`."""
    return [
        dmc.PasswordInput(
            id=f"{prefix}-password",
            label=t(label_key, lang),
            description=t("ui.admin.password_hint", lang, n=accounts.MIN_PASSWORD_LENGTH),
            autoComplete="new-password",
            className="control",
        ),
        dmc.PasswordInput(
            id=f"{prefix}-again",
            label=t("ui.admin.again", lang),
            autoComplete="new-password",
            className="control",
        ),
    ]


def add_form(lang: str) -> Any:
    return html.Div(
        [
            html.H2(t("ui.admin.add_title", lang), className="section-title"),
            dmc.TextInput(id="admin-new-name", label=t("ui.admin.name", lang), className="control"),
            dmc.Select(
                id="admin-new-role",
                label=t("ui.admin.role", lang),
                data=role_options(lang),
                value=ROLES[0],
                allowDeselect=False,
                className="control control-new-role",
                comboboxProps={"withinPortal": True},
            ),
            *password_inputs(lang, "admin-new", "ui.admin.password"),
            dmc.Button(
                t("ui.admin.add", lang), id="admin-add", color="blue", style={"alignSelf": "start"}
            ),
            html.Div(id="admin-add-result"),
        ],
        className="admin-form admin-add",
        style=FORM_STYLE,
    )


def change_form(store: Store, lang: str) -> Any:
    return html.Div(
        [
            html.H2(t("ui.admin.change_title", lang), className="section-title"),
            dmc.Select(
                id="admin-target",
                label=t("ui.admin.target", lang),
                data=target_options(store),
                value=None,
                searchable=True,
                className="control control-target",
                comboboxProps={"withinPortal": True},
            ),
            html.Div(
                [
                    dmc.Select(
                        id="admin-target-role",
                        label=t("ui.admin.new_role", lang),
                        data=role_options(lang),
                        value=None,
                        className="control control-target-role",
                        comboboxProps={"withinPortal": True},
                    ),
                    dmc.Button(
                        t("ui.admin.set_role", lang), id="admin-set-role", variant="outline"
                    ),
                ],
                className="admin-row",
                style=ROW_STYLE,
            ),
            html.Div(
                [
                    dmc.Button(
                        t("ui.admin.deactivate", lang),
                        id="admin-deactivate",
                        color="red",
                        variant="outline",
                    ),
                    dmc.Button(
                        t("ui.admin.reactivate", lang), id="admin-reactivate", variant="outline"
                    ),
                ],
                className="admin-row",
                style=ROW_STYLE,
            ),
            html.Div(
                [
                    *password_inputs(lang, "admin-reset", "ui.admin.new_password"),
                    dmc.Button(t("ui.admin.reset", lang), id="admin-reset", variant="outline"),
                ],
                className="admin-row",
                style=ROW_STYLE,
            ),
            html.Div(id="admin-change-result"),
        ],
        className="admin-form admin-change",
        style=FORM_STYLE,
    )


def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    # The role as the store holds it now, not as it was at login.
    user = auth.current_user(ctx.store)
    role = (user or ctx.user or {}).get("role", "viewer")
    if user is None or not auth.role_allows(user["role"], NEEDED_ROLE):
        words = t(f"ui.role.{role}", lang) if role in ROLES else role
        return html.Div(
            [
                heading(lang),
                dmc.Alert(
                    t("ui.admin.not_for_role", lang, role=words), color="red", id="admin-forbidden"
                ),
            ]
        )
    return html.Div(
        [
            heading(lang),
            dcc.Store(id="admin-lang", data=lang),
            html.H2(t("ui.admin.accounts", lang), className="section-title"),
            accounts_grid(ctx.store, lang),
            html.Div(
                [add_form(lang), change_form(ctx.store, lang)],
                className="admin-forms",
                style=FORMS_STYLE,
            ),
            html.H2(
                t("ui.admin.audit_title", lang, n=accounts.ADMIN_AUDIT_ROWS),
                className="section-title",
            ),
            html.Div(audit_table(ctx.store, lang), id="admin-audit"),
        ],
        className="page-admin",
    )


def register_callbacks(app: dash.Dash) -> dict[str, str]:
    """Add an account; change one (role, active, password). Returns the guarded outputs."""
    server_state = state_of(app.server)

    @app.callback(
        Output("admin-add-result", "children"),
        Output("admin-accounts", "rowData"),
        Output("admin-audit", "children"),
        Output("admin-target", "data"),
        Output("admin-new-password", "value"),
        Output("admin-new-again", "value"),
        Input("admin-add", "n_clicks"),
        State("admin-new-name", "value"),
        State("admin-new-role", "value"),
        State("admin-new-password", "value"),
        State("admin-new-again", "value"),
        State("admin-lang", "data"),
        State(shell.USER_COMPONENT, "data"),
        prevent_initial_call=True,
    )
    def add(n_clicks, name, role, password, again, lang, claimed):
        store = server_state.store
        admin = acting_admin(store, claimed)
        if admin is None:
            return forbidden(lang, "admin-add-outcome"), *[no_update] * 5
        if not n_clicks:
            return (no_update,) * 6
        outcome = accounts.add_account(store, admin["name"], name, role, password, again)
        alert = outcome_alert(outcome, lang, "admin-add-outcome")
        if not outcome.ok:
            return alert, *[no_update] * 5
        return (
            alert,
            accounts.account_rows(store.users(), lang, state().settings.zone),
            audit_table(store, lang),
            target_options(store),
            "",
            "",
        )

    @app.callback(
        Output("admin-change-result", "children"),
        Output("admin-accounts", "rowData", allow_duplicate=True),
        Output("admin-audit", "children", allow_duplicate=True),
        Output("admin-reset-password", "value"),
        Output("admin-reset-again", "value"),
        *[Input(b, "n_clicks") for b in CHANGE_BUTTONS],
        State("admin-target", "value"),
        State("admin-target-role", "value"),
        State("admin-reset-password", "value"),
        State("admin-reset-again", "value"),
        State("admin-lang", "data"),
        State(shell.USER_COMPONENT, "data"),
        prevent_initial_call=True,
    )
    def change(_r, _d, _a, _p, target, role, password, again, lang, claimed):
        store = server_state.store
        admin = acting_admin(store, claimed)
        if admin is None:
            return forbidden(lang, "admin-change-outcome"), *[no_update] * 4
        button = dash.ctx.triggered_id
        if button == "admin-set-role":
            outcome = accounts.change_role(store, admin["name"], target, role)
        elif button in ("admin-deactivate", "admin-reactivate"):
            active = button == "admin-reactivate"
            outcome = accounts.set_account_active(store, admin["name"], target, active)
        elif button == "admin-reset":
            outcome = accounts.reset_password(store, admin["name"], target, password, again)
        else:
            return (no_update,) * 5
        alert = outcome_alert(outcome, lang, "admin-change-outcome")
        if not outcome.ok:
            return alert, *[no_update] * 4
        cleared = ("", "") if button == "admin-reset" else (no_update, no_update)
        return (
            alert,
            accounts.account_rows(store.users(), lang, state().settings.zone),
            audit_table(store, lang),
            *cleared,
        )

    return {o: NEEDED_ROLE for o in GUARDED_OUTPUTS}
