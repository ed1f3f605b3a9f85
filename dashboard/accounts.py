"""Account rules behind the admin page: who may be added, what a password needs, role and
active changes, and the rows of the accounts and audit tables. Plain values, no Dash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.views import when_text
from store import Store
from zhibiao.config import DEFAULT_TIMEZONE
from zhibiao.i18n import has, t
from zhibiao.text import MAX_PASSWORD, MAX_USER_NAME
from zhibiao.vocabulary import ROLES

#: Shortest password the accounts page accepts (a rule of the page: `zhibiao user add` asks
#: only for a non-empty one). Counted in characters.
MIN_PASSWORD_LENGTH = 8


#: Longest account name and password: the bounds every edge applies (zhibiao/text.py).
MAX_NAME_LENGTH = MAX_USER_NAME
MAX_PASSWORD_LENGTH = MAX_PASSWORD


#: How many audit entries the accounts page shows, newest first.
ADMIN_AUDIT_ROWS = 50


@dataclass(frozen=True)
class Outcome:
    """What an account change came to: done or refused, and the message that says so."""

    ok: bool
    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str) -> str:
        """The message in `lang`; a `role` parameter is given in words."""
        params = dict(self.params)
        if params.get("role") in ROLES:
            params["role"] = t(f"ui.role.{params['role']}", lang)
        return t(self.key, lang, **params)


def _refused(key: str, **params: Any) -> Outcome:
    return Outcome(False, f"ui.admin.{key}", tuple(params.items()))


def _done(key: str, **params: Any) -> Outcome:
    return Outcome(True, f"ui.admin.{key}", tuple(params.items()))


def password_problem(password: str | None, again: str | None) -> Outcome | None:
    """Why a new password cannot be set (empty, the two differ, too short, too long), or None."""
    if not password:
        return _refused("empty_password")
    if password != (again or ""):
        return _refused("mismatch")
    if len(password) < MIN_PASSWORD_LENGTH:
        return _refused("too_short", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        # the login form's message, said the same way here
        return Outcome(False, "security.password_too_long", (("n", MAX_PASSWORD_LENGTH),))
    return None


def new_account_problem(
    name: str | None, role: str | None, password: str | None, again: str | None, store: Store
) -> Outcome | None:
    """Why an account cannot be made: the CLI's rules plus the minimum password length."""
    name = (name or "").strip()
    if not name:
        return _refused("empty_name")
    if len(name) > MAX_NAME_LENGTH:
        return _refused("name_too_long", n=MAX_NAME_LENGTH)
    if role not in ROLES:
        return _refused("bad_role")
    problem = password_problem(password, again)
    if problem is not None:
        return problem
    if store.get_user(name) is not None:
        return _refused("exists", name=name)
    return None


def add_account(
    store: Store,
    actor: str,
    name: str | None,
    role: str | None,
    password: str | None,
    again: str | None,
) -> Outcome:
    """Make an account for `actor` (an admin the caller has checked) and audit it."""
    problem = new_account_problem(name, role, password, again, store)
    if problem is not None:
        return problem
    name = (name or "").strip()
    assert role is not None and password is not None  # new_account_problem refuses None
    try:
        store.add_user(name, role, password)
    except ValueError:  # made by someone else a moment ago
        return _refused("exists", name=name)
    store.audit(actor, "admin.user_add", {"name": name, "role": role})
    return _done("added", name=name, role=role)


def _target(store: Store, name: str | None) -> dict[str, Any] | Outcome:
    """The account `name` names, or why there is none."""
    if not name:
        return _refused("no_target")
    found = store.get_user(name)
    if found is None:
        return _refused("no_user", name=name)
    return found


def change_role(store: Store, actor: str, name: str | None, role: str | None) -> Outcome:
    """Give `name` the role `role`; an admin never lowers their own role."""
    found = _target(store, name)
    if isinstance(found, Outcome):
        return found
    if role not in ROLES:
        return _refused("bad_role")
    if found["role"] == role:
        return _refused("same_role", name=found["name"], role=role)
    if found["name"] == actor:
        return _refused("self_demote")
    store.set_role(found["name"], role)
    store.audit(
        actor, "admin.user_role", {"name": found["name"], "from": found["role"], "to": role}
    )
    return _done("role_set", name=found["name"], role=role)


def set_account_active(store: Store, actor: str, name: str | None, active: bool) -> Outcome:
    """Deactivate or reactivate `name`; an admin never deactivates themself."""
    found = _target(store, name)
    if isinstance(found, Outcome):
        return found
    if not active and found["name"] == actor:
        return _refused("self_deactivate")
    store.set_active(found["name"], active)
    action = "admin.user_reactivate" if active else "admin.user_deactivate"
    store.audit(actor, action, {"name": found["name"]})
    return _done("reactivated" if active else "deactivated", name=found["name"])


def reset_password(
    store: Store, actor: str, name: str | None, password: str | None, again: str | None
) -> Outcome:
    """Give `name` a new password (same rules as a new account); the audit never holds it."""
    found = _target(store, name)
    if isinstance(found, Outcome):
        return found
    problem = password_problem(password, again)
    if problem is not None:
        return problem
    assert password is not None  # password_problem refuses None
    store.set_password(found["name"], password)
    store.audit(actor, "admin.user_password", {"name": found["name"]})
    return _done("password_reset", name=found["name"])


def account_rows(
    accounts: Sequence[Mapping[str, Any]], lang: str, zone: ZoneInfo | str = DEFAULT_TIMEZONE
) -> list[dict[str, Any]]:
    """Accounts as the grid shows them: name, role in words, active or not, created (in the
    county's time zone)."""
    return [
        {
            "name": a["name"],
            "role": t(f"ui.role.{a['role']}", lang) if a.get("role") in ROLES else a["role"],
            "active": t("ui.admin.active" if a.get("active", True) else "ui.admin.inactive", lang),
            "created": when_text(a.get("created_at"), zone),
        }
        for a in accounts
    ]


def audit_action_text(action: str, lang: str) -> str:
    """An audit action in words ('admin.user_add' → '管理员新建账号'); unknown ones as stored."""
    key = "ui.admin.actions." + action.replace(".", "_")
    return t(key, lang) if has(key, lang) else action


def audit_rows(
    entries: Sequence[Mapping[str, Any]], lang: str, zone: ZoneInfo | str = DEFAULT_TIMEZONE
) -> list[dict[str, Any]]:
    """Audit entries as the page lists them: when (in the county's time zone), who, what, and
    the detail as key=value."""
    sep = "，" if lang == "zh" else ", "
    return [
        {
            "when": when_text(e.get("at"), zone),
            "user": e.get("user", ""),
            "action": audit_action_text(str(e.get("action", "")), lang),
            "detail": sep.join(f"{k}={v}" for k, v in (e.get("detail") or {}).items()),
        }
        for e in entries
    ]
