"""The layers import in one direction (docs/architecture.md), with no cycle and no import hidden
in a function except the few heavy libraries named here."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("zhibiao", "loaders", "store", "indicators", "dashboard", "exports")
#: What every layer reads: settings, fields, messages, text bounds, vocabulary. No layer.
CORE = (
    "zhibiao.config",
    "zhibiao.datafiles",
    "zhibiao.fields",
    "zhibiao.i18n",
    "zhibiao.text",
    "zhibiao.vocabulary",
)
#: module prefix → the prefixes of this repository it may import (besides itself and CORE).
ALLOWED = {
    "zhibiao": (),
    "zhibiao.config": (),
    "zhibiao.datafiles": (),
    "zhibiao.fields": (),
    "zhibiao.i18n": (),
    "zhibiao.text": (),
    "zhibiao.vocabulary": (),
    "zhibiao.samples": (),
    "loaders": (),
    "store": ("loaders.types",),
    "indicators": (),
    "zhibiao.ingest": ("loaders", "store", "indicators"),
    "zhibiao.tables": ("store", "indicators"),
    "dashboard": ("loaders", "store", "indicators", "exports", "zhibiao.ingest", "zhibiao.tables"),
    "exports": (
        "store",
        "indicators",
        "dashboard.definitions",  # what each indicator means, the pack's last page
        "dashboard.figures",
        "dashboard.render",
        "dashboard.views",
        "zhibiao.tables",
    ),
    "zhibiao.settings_doc": ("dashboard.app", "dashboard.auth"),
    "zhibiao.corpus": ("loaders", "store", "zhibiao.ingest"),
    "zhibiao.cli": ("loaders", "store", "indicators", "dashboard.server", "exports", "zhibiao"),
}
#: Imports allowed inside a function: heavy libraries that only one command or file kind needs.
LAZY = {
    "exports.pdf": {"reportlab"},
    "exports.pptx": {"pptx"},
    # the exports, the web server, and the engine (scipy) that `zhibiao ingest` does not need:
    # a second of start-up, paid again by the fork server that preloads the command's module
    "zhibiao.cli": {"exports", "dashboard", "indicators", "zhibiao"},
    # Celery only when a Redis URL is configured
    "dashboard.jobs": {"celery"},
    # gunicorn's hooks: the app and the parse children are made in each worker, after the fork
    "dashboard.server": {"loaders", "dashboard"},
    # the loaders' own (the loaders are reworked separately; they import nothing above them)
    "loaders.header": {"loaders"},
    "loaders.load": {"loaders"},
    "loaders.sandbox": {"multiprocessing"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(imported module, inside a function) for every import of one module."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    # module level: the body, and the blocks of a module-level `if` (TYPE_CHECKING) or `try`
    blocks = [n for n in tree.body if isinstance(n, ast.If | ast.Try)]
    top = {id(n) for n in tree.body} | {id(n) for b in blocks for n in ast.iter_child_nodes(b)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, id(node) not in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            out += [(f"{base}.{alias.name}", id(node) not in top) for alias in node.names]
    return out


def _ours(target: str, modules: dict[str, Path]) -> str | None:
    """The module of this repository an import names (`a.b.c` → `a.b.c` or `a.b`), else None."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def _rule(name: str) -> tuple[str, ...]:
    key = max((k for k in ALLOWED if name == k or name.startswith(k + ".")), key=len)
    return ALLOWED[key]


def _within(target: str, prefixes: tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def _edges() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {m for t, _ in _imports(name, path) if (m := _ours(t, modules)) and m != name}
        for name, path in modules.items()
    }


def test_every_module_has_a_rule():
    assert all(any(n == k or n.startswith(k + ".") for k in ALLOWED) for n in _modules())


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for name, targets in _edges().items():
        own = name.split(".")[0] if not name.startswith("zhibiao.") else name
        allowed = (own, *CORE, *_rule(name))
        wrong += [f"{name} → {t}" for t in sorted(targets) if not _within(t, allowed)]
    assert wrong == []


def test_no_import_cycle():
    edges = _edges()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return None
        for target in sorted(edges[name]):
            cycle = visit(target, [*path, name])
            if cycle:
                return cycle
        done.add(name)
        return None

    cycles = [c for n in sorted(edges) if (c := visit(n, []))]
    assert cycles == []


def test_imports_sit_at_the_top_but_for_the_heavy_libraries():
    hidden = [
        f"{name}: {target}"
        for name, path in _modules().items()
        for target, inside in _imports(name, path)
        if inside and target.split(".")[0] not in LAZY.get(name, set())
    ]
    assert hidden == []


def test_the_rules_see_the_known_edges():
    """The checks above read real imports (they would pass on an empty graph otherwise)."""
    edges = _edges()
    assert "loaders.types" in edges["store.db"]
    assert "zhibiao.tables" in edges["dashboard.state"]
    assert "indicators.warnings" in edges["exports.pack"]
    assert sum(len(t) for t in edges.values()) > 150
