"""上传 upload (analysts): drop a workbook, watch it read, check the preview, confirm to store.

The check runs as a background job (dashboard.jobs: a thread of the server, or a Celery worker;
the file parsed in a child process; a progress bar; a deadline the page reports); the role is
checked by the login wall before the job starts and the user is handed to the job as a value.
The check remembers which revision of each period it saw (`upload-seen`) and which townships
the previous revision has that the file leaves out (offered to keep). The confirm callback
checks the session user's stored role itself and reads the file again, so nothing but the file
the analyst confirmed is ever stored, and a viewer's replay stores nothing; a revision stored
since the check, or a write the database refuses, is said in the page, with nothing stored.
"""

from __future__ import annotations

import base64
from typing import Any

import dash
import dash_mantine_components as dmc
from dash import Input, Output, State, dcc, html, no_update

from dashboard import auth, jobs, views
from dashboard import layout as shell
from dashboard.pages import _common as c
from dashboard.pages._reporting import reporting_section
from dashboard.state import state
from store import RevisionConflict, Store, StoreError
from zhibiao import ingest
from zhibiao.i18n import t
from zhibiao.vocabulary import BASES

PATH = "/upload"
NEEDED_ROLE = "analyst"
#: Outputs only an analyst's request may reach (the login wall reads these).
GUARDED_OUTPUTS = ("upload-preview", "upload-result")

dash.register_page(
    __name__, path=PATH, name="upload", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def decode_contents(contents: str) -> bytes:
    """The bytes of a dcc.Upload `contents` data URL."""
    _, _, data = (contents or "").partition(",")
    return base64.b64decode(data)


def history_table(store: Store, lang: str) -> Any:
    """Every upload, newest first; each kept file's name is a link to download it again."""
    rows = views.history_rows(store.uploads(), lang, c.state().settings.zone)
    if not rows:
        return html.P(t("ui.upload.no_history", lang), className="muted")
    keys = ("id", "when", "user", "file", "periods", "values", "accepted")
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"ui.upload.history_{k}", lang)) for k in keys])),
            html.Tbody([html.Tr([history_cell(r, k, lang) for k in keys]) for r in rows]),
        ],
        className="data-table history-table",
        id="history-table",
    )


def history_cell(row: dict[str, Any], key: str, lang: str) -> Any:
    """One cell of the history table: the file name links to the file as it was uploaded."""
    if key == "file" and row.get("href"):
        link = html.A(
            str(row[key]),
            href=row["href"],
            title=t("ui.upload.history_download", lang),
            className="original-link",
        )
        return html.Td(link)
    return html.Td(str(row[key]))


def findings_list(
    lines: list[str], key: str, severity: str, lang: str, list_id: str | None = None
) -> list[Any]:
    """A counted title (`ui.upload.<key>`) and the list `upload-<list_id or key>` of one
    severity's findings (none: nothing)."""
    if not lines:
        return []
    return [
        html.H3(t(f"ui.upload.{key}", lang, n=len(lines)), className=f"findings-title {severity}"),
        html.Ul(
            [html.Li(x, className=f"finding {severity}") for x in lines],
            id=f"upload-{list_id or key}",
        ),
    ]


def preview_panel(
    preview: dict[str, Any], lang: str, replaced: dict[str, int], dropped: list[str]
) -> Any:
    """What was recognised, and every error and warning with its cells."""

    def line(key: str, items: list[str]) -> Any:
        return html.Div(
            [
                html.Dt(t(f"ui.upload.{key}", lang)),
                html.Dd("、".join(items) if lang == "zh" else ", ".join(items)),
            ]
        )

    facts = html.Dl(
        [
            line("file", [preview["file"]]),
            line("periods", preview["periods"]),
            line("basis", preview["bases"]),
            line(
                "areas", [t("ui.upload.n_areas", lang, n=len(preview["areas"]))] + preview["areas"]
            ),
            line(
                "fields",
                [t("ui.upload.n_fields", lang, n=len(preview["fields"]))] + preview["fields"],
            ),
        ],
        className="preview-facts",
    )
    parts: list[Any] = [facts]
    for period, revision in replaced.items():
        parts.append(
            dmc.Alert(
                t("ui.upload.replaces", lang, period=period, revision=revision),
                color="blue",
                className="replace-note",
            )
        )
    if dropped:
        parts.append(
            dmc.Alert(
                t("ui.upload.dropped", lang, n=len(dropped), areas=join(dropped, lang)),
                color="orange",
                id="upload-dropped",
            )
        )
    kind = preview["verdict"]
    # errors an analyst may accept are inconsistencies, not a refusal: titled so
    errors_key = "inconsistencies" if kind == "accept" else "errors"
    parts += findings_list(preview["errors"], errors_key, "error", lang, "errors")
    parts += findings_list(preview["warnings"], "warnings", "warning", lang)
    parts.append(verdict_alert(preview, lang))
    return html.Div(parts, className="preview")


def join(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


#: The one verdict of a checked file: its words, its colour.
VERDICT_TEXT = {
    "ready": "ui.upload.ready",
    "accept": "ui.upload.verdict_accept",
    "refused": "ui.upload.refused",
}
VERDICTS = {"ready": "green", "accept": "orange", "refused": "red"}


def verdict_alert(preview: dict[str, Any], lang: str) -> Any:
    """One verdict: ready to save; only inconsistencies that may be accepted (and what saving
    then does); or refused (what to do)."""
    kind = preview["verdict"]
    text = t(VERDICT_TEXT[kind], lang, n=preview["n_errors"])
    return dmc.Alert(text, color=VERDICTS[kind], id="upload-verdict", className=f"verdict-{kind}")


def confirm_state(verdict: dict[str, Any] | None, accepted: bool, lang: str) -> dict[str, Any]:
    """What the save button says and whether it works, for the checked file's verdict: it says
    what it will do (save; accept n inconsistencies and save; cannot save), and accepting waits
    for the box to be ticked; the box shows only when there is something to accept."""
    kind = (verdict or {}).get("verdict")
    n = int((verdict or {}).get("n", 0))
    if kind == "ready":
        return {"label": t("ui.upload.confirm", lang), "disabled": False, "box": False}
    if kind == "accept":
        return {
            "label": t("ui.upload.confirm_accept", lang, n=n),
            "disabled": not accepted,
            "box": True,
        }
    if kind == "refused":
        return {"label": t("ui.upload.confirm_refused", lang), "disabled": True, "box": False}
    return {"label": t("ui.upload.confirm", lang), "disabled": True, "box": False}


def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    role = (ctx.user or {}).get("role")
    if not auth.role_allows(role, NEEDED_ROLE):
        return html.Div(
            [
                c.heading(ctx, "upload", with_period=False),
                dmc.Alert(t("ui.auth.forbidden", lang), color="red", id="upload-forbidden"),
            ]
        )
    limit_mb = round(ctx.app.max_upload_bytes / 1024 / 1024, 1)
    read_only = ctx.app.read_only
    return html.Div(
        [
            c.heading(ctx, "upload", with_period=False),
            dcc.Store(id="upload-lang", data=lang),
            dcc.Store(id="upload-seen"),
            dmc.Alert(t("ui.upload.read_only", lang), color="red", id="upload-read-only")
            if read_only
            else html.Div(),
            html.Div(
                [
                    dcc.Upload(
                        id="upload-file",
                        # its file input takes the focus and is named by these words
                        # (assets/a11y.js); the zone draws the focus ring (app.css)
                        disabled=read_only,
                        children=html.Div(
                            [
                                html.Strong(t("ui.upload.drop", lang), id="upload-drop-title"),
                                html.Br(),
                                html.Span(
                                    t("ui.upload.limit", lang, mb=limit_mb), id="upload-drop-limit"
                                ),
                                html.Br(),
                                html.Span(
                                    t("ui.upload.choose", lang),
                                    className="upload-choose",
                                    **shell.aria_attributes(hidden="true"),
                                ),
                            ]
                        ),
                        max_size=ctx.app.max_upload_bytes,
                        multiple=False,
                        className="upload-drop",
                        className_active="upload-drop active",
                        className_reject="upload-drop reject",
                    ),
                    html.Div(
                        t("ui.upload.too_large", lang, mb=limit_mb),
                        id="upload-too-big",
                        className="upload-too-big",
                        style={"display": "none"},
                        role="alert",
                        # upload-size.js fills in the file's name and size
                        **shell.data_attributes(
                            named=t(
                                "security.too_large_named",
                                lang,
                                file="{file}",
                                size_mb="{size_mb}",
                                mb=limit_mb,
                            )
                        ),
                    ),
                ],
                id="upload-zone",
                **shell.data_attributes(max_bytes=str(ctx.app.max_upload_bytes)),
            ),
            html.Div(
                [
                    dmc.TextInput(
                        id="upload-period",
                        label=t("ui.upload.period_override", lang),
                        placeholder="YYYY-MM",
                        className="control",
                    ),
                    dmc.Select(
                        id="upload-basis",
                        label=t("ui.upload.basis_override", lang),
                        data=[{"value": "", "label": t("ui.upload.basis_auto", lang)}]
                        + [{"value": b, "label": t(f"ui.basis.{b}", lang)} for b in BASES],
                        value="",
                        allowDeselect=False,
                        className="control",
                    ),
                ],
                className="controls",
            ),
            html.Div(
                [
                    html.Span(t("ui.upload.reading", lang), id="upload-progress-label"),
                    dmc.Progress(
                        id="upload-progress", value=0, size="xl", striped=True, animated=True
                    ),
                ],
                id="upload-progress-box",
                className="progress-box",
                style={"display": "none"},
            ),
            html.Div(id="upload-preview"),
            dcc.Store(id="upload-state"),
            html.Div(
                dmc.MultiSelect(
                    id="upload-keep",
                    label=t("ui.upload.keep", lang),
                    data=[],
                    value=[],
                    searchable=True,
                    clearable=True,
                    className="control",
                ),
                id="upload-keep-box",
                style={"display": "none"},
            ),
            html.Div(
                [
                    dmc.Checkbox(
                        id="upload-accept",
                        label=t("ui.upload.accept", lang),
                        checked=False,
                        style={"display": "none"},
                    ),
                    dmc.Button(
                        t("ui.upload.confirm", lang),
                        id="upload-confirm",
                        disabled=True,
                        color="blue",
                        size="md",
                        # stored, the button is disabled: the focus goes to what was stored
                        **shell.data_attributes(focus_fallback="upload-result"),
                    ),
                ],
                className="confirm-row",
            ),
            html.Div(id="upload-result", tabIndex="-1"),
            reporting_section(ctx, folded=False),
            html.H2(t("ui.upload.history", lang), className="section-title"),
            html.P(t("ui.upload.replace_help", lang), className="muted"),
            html.Div(history_table(ctx.store, lang), id="upload-history"),
        ],
        className="page-upload",
    )


def _replaced(store: Store, periods: list[str]) -> dict[str, int]:
    uploads = store.uploads()
    return {p: views.revision_of(uploads, p) + 1 for p in periods if views.revision_of(uploads, p)}


def check_failed(error: Exception) -> tuple[Any, ...]:
    """The page's answer to a check that ended without a result: past its deadline, lost with
    the process that ran it, or failed; nothing was stored."""
    lang = dash.callback_context.states.get("upload-lang.data") or auth.request_lang()
    reason = jobs.ended_reason(error)
    if reason == jobs.DEADLINE:
        seconds = round(state().settings.limits.job_seconds)
        message = t("ui.upload.job_deadline", lang, seconds=seconds)
    elif reason == jobs.LOST:
        message = t("ui.upload.job_lost", lang)
    else:
        message = t("ui.upload.job_failed", lang, reason=type(error).__name__)
    alert = dmc.Alert(message, color="red", id="upload-job-ended")
    return alert, True, None, [], {"display": "none"}, []


def register_callbacks(app: dash.Dash) -> dict[str, str]:
    """The check (background, with progress) and the confirm; returns the guarded outputs."""

    @app.callback(
        Output("upload-preview", "children"),
        Output("upload-state", "data"),
        Output("upload-seen", "data"),
        Output("upload-keep", "data"),
        Output("upload-keep-box", "style"),
        Output("upload-keep", "value"),
        Input("upload-file", "contents"),
        State("upload-file", "filename"),
        State("upload-period", "value"),
        State("upload-basis", "value"),
        State("upload-lang", "data"),
        State(shell.USER_COMPONENT, "data"),
        background=True,
        progress=[Output("upload-progress", "value"), Output("upload-progress-label", "children")],
        running=[
            (Output("upload-progress-box", "style"), {"display": "block"}, {"display": "none"}),
            (Output("upload-file", "disabled"), True, False),
        ],
        on_error=check_failed,
        prevent_initial_call=True,
    )
    def check_upload(set_progress, contents, filename, period, basis, lang, user):
        # The login wall refused this request unless `user` is the session's analyst; the job
        # checks the stored role again, because it runs outside the request. It runs in the
        # app context of its server (dashboard.jobs), on a thread or a Celery worker.
        hidden = {"display": "none"}
        if not contents or not user:
            return no_update, None, None, [], hidden, []
        app_state = state()
        store = app_state.store
        found = store.get_user(user)
        if not found or not auth.role_allows(found["role"], NEEDED_ROLE):
            return dmc.Alert(t("ui.auth.forbidden", lang), color="red"), None, None, [], hidden, []
        set_progress((10, t("ui.upload.reading", lang)))
        data = decode_contents(contents)
        set_progress((30, t("ui.upload.checking", lang)))
        result = ingest.check(
            data,
            filename,
            store,
            period=period or None,
            basis=basis or None,
            accept_inconsistent=True,
            settings=app_state.settings,
        )
        # checked with acceptable errors allowed (so their values are read), shown as they
        # stand without the tick: "ready" only when nothing needs accepting
        result.accepted = False
        set_progress((90, t("ui.upload.preview", lang)))
        preview = views.upload_preview(result, lang)
        store.audit(
            user,
            "upload.check",
            {"file": result.file, "sha256": result.sha256, "errors": len(preview["errors"])},
        )
        has_values = not result.values.empty
        dropped = store.dropped_areas(result) if has_values else []
        seen = store.revisions(result) if has_values else None
        panel = preview_panel(preview, lang, _replaced(store, preview["periods"]), dropped)
        set_progress((100, t("ui.upload.done", lang)))
        can_confirm = (preview["can_store"] or preview["needs_accept"]) and not app_state.read_only
        keep_box = {"display": "block"} if dropped and can_confirm else hidden
        # the save button follows the verdict (button_follows_verdict); a read-only store saves
        # nothing
        verdict = None if app_state.read_only else preview["verdict"]
        verdict_state = {"verdict": verdict, "n": preview["n_errors"]}
        return panel, verdict_state, seen, dropped, keep_box, []

    @app.callback(
        Output("upload-confirm", "disabled"),
        Output("upload-confirm", "children"),
        Output("upload-accept", "style"),
        Output("upload-accept", "checked"),
        Input("upload-state", "data"),
        Input("upload-accept", "checked"),
        State("upload-lang", "data"),
    )
    def button_follows_verdict(
        verdict: dict[str, Any] | None, accepted: bool | None, lang: str | None
    ) -> tuple[bool, str, dict[str, str], Any]:
        # a new file's verdict clears the box; ticking it enables accepting
        fresh = dash.ctx.triggered_id == "upload-state"
        state = confirm_state(verdict, bool(accepted) and not fresh, lang or "zh")
        style = {} if state["box"] else {"display": "none"}
        return state["disabled"], state["label"], style, False if fresh else no_update

    @app.callback(
        Output("upload-result", "children"),
        Output("upload-history", "children"),
        Output("upload-confirm", "disabled", allow_duplicate=True),
        Input("upload-confirm", "n_clicks"),
        State("upload-file", "contents"),
        State("upload-file", "filename"),
        State("upload-period", "value"),
        State("upload-basis", "value"),
        State("upload-accept", "checked"),
        State("upload-lang", "data"),
        State(shell.USER_COMPONENT, "data"),
        State("upload-seen", "data"),
        State("upload-keep", "value"),
        prevent_initial_call=True,
    )
    def confirm_upload(
        n_clicks, contents, filename, period, basis, accept, lang, _user, seen, keep
    ):
        # The role of the session user, read from the store now — never a value the page sent.
        app_state = state()
        store = app_state.store
        user = auth.current_user(store)
        if user is None or not auth.role_allows(user["role"], NEEDED_ROLE):
            return dmc.Alert(t("ui.auth.forbidden", lang), color="red"), no_update, True
        if not n_clicks or not contents:
            return no_update, no_update, no_update
        data = decode_contents(contents)
        result = ingest.check(
            data,
            filename,
            store,
            period=period or None,
            basis=basis or None,
            accept_inconsistent=bool(accept),
            settings=app_state.settings,
        )
        if not result.ok:
            key = (
                "ui.upload.accept_first"
                if views.upload_preview(result, lang)["needs_accept"]
                else "ui.upload.refused"
            )
            return dmc.Alert(t(key, lang), color="red", id="upload-outcome"), no_update, False
        try:
            upload_id = ingest.commit(
                result,
                store,
                user=user["name"],
                data=data,
                keep=[str(k) for k in keep or []],
                seen=seen if isinstance(seen, dict) else store.revisions(result),
            )
        except (StoreError, RevisionConflict) as error:
            alert = dmc.Alert(ingest.fault_text(error, lang), color="red", id="upload-outcome")
            return alert, no_update, True
        kept = (store.upload(upload_id) or {}).get("kept_areas") or []
        message = t(
            "ui.upload.stored_kept" if kept else "ui.upload.stored",
            lang,
            id=upload_id,
            file=result.file,
            periods=join(list(result.periods), lang),
            areas=join(kept, lang),
        )
        return (
            dmc.Alert(message, color="green", id="upload-outcome"),
            history_table(store, lang),
            True,
        )

    return {o: NEEDED_ROLE for o in GUARDED_OUTPUTS}
