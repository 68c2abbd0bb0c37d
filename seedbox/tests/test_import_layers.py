"""Imports go one way (README, "Layout"): views, API, tasks and handlers -> services ->
selectors, models and clients. Read from the source with `ast`, so a cycle or a hidden import
fails here, not as an ImportError in one process at start-up.

- No import inside a function body (a cycle dodged at run time is still a cycle), except in
  AppConfig.ready() (registering handlers, checks) and under `if TYPE_CHECKING:`.
- No cycle among the modules of the apps in GRAPHED.
- A service imports no task, view, API or handler module; a selector imports no service.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The project's own packages (manage.py, bench/ and conftest.py are scripts and test set-up).
APPS = ("accounts", "events", "feeds", "media", "notifications", "seedbox", "stats", "torrents")
GRAPHED = ("accounts", "events", "feeds", "media", "notifications", "stats", "torrents")
# What a service never imports: what calls services.
CALLERS = ("tasks", "views", "api", "handlers", "admin")


def _source_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


MODULES = _source_modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """(import node, inside a function, allowed there) for every import that runs."""
    found = []

    def visit(node, function: str | None, klass_is_config: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_one(other, function, klass_is_config)
                continue
            visit_one(child, function, klass_is_config)

    def visit_one(child, function, klass_is_config):
        if isinstance(child, ast.Import | ast.ImportFrom):
            allowed = function is None or (function == "ready" and klass_is_config)
            found.append((child, function, allowed))
        elif isinstance(child, ast.ClassDef):
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in child.bases}
            visit(child, function, "AppConfig" in bases)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            visit(child, function or child.name, klass_is_config and function is None)
        else:
            visit(child, function, klass_is_config)

    visit(tree, None, False)
    return found


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The project modules an import loads (`from pkg import mod` names pkg.mod)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        names = [n for n in names[:-1] if n in MODULES] or [base]
    return {name for name in names if name in MODULES}


def _trees() -> dict[str, ast.Module]:
    return {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


TREES = _trees()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, tree in TREES.items():
        if module.split(".")[0] not in GRAPHED:
            continue
        edges = set()
        for node, _, _ in _imports(tree):
            edges |= {t for t in _targets(module, node) if t.split(".")[0] in GRAPHED}
        graph[module] = edges - {module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return components


def _kind(module: str) -> str:
    parts = module.split(".")
    for part in parts[1:]:
        if part in ("services", "tasks", "views", "api"):
            return part
    last = parts[-1]
    if last == "selectors" or last.endswith("_selectors"):
        return "selectors"
    return last


def test_no_import_inside_a_function_body():
    hidden = [
        f"{MODULES[module].relative_to(ROOT)}:{node.lineno} in {function}()"
        for module, tree in TREES.items()
        for node, function, allowed in _imports(tree)
        if not allowed
    ]
    assert hidden == []


def test_the_apps_modules_import_each_other_without_a_cycle():
    assert _cycles(_graph()) == []


def test_services_import_no_caller_and_selectors_no_service():
    wrong = []
    for module, edges in _graph().items():
        kind = _kind(module)
        for target in sorted(edges):
            if kind == "services" and _kind(target) in CALLERS:
                wrong.append(f"service {module} imports {target}")
            if kind == "selectors" and _kind(target) == "services":
                wrong.append(f"selector {module} imports {target}")
    assert wrong == []


def test_the_checks_see_what_they_check():
    """The rules above read real code: the graph has the sync, its edges and an allowed
    import in a ready()."""
    graph = _graph()
    assert "torrents.models" in graph["torrents.services.sync"]
    assert "torrents.services.sync" in graph["torrents.tasks.sync"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    ready = [f for module, tree in TREES.items() for _, f, ok in _imports(tree) if f and ok]
    assert "ready" in ready
    snippet = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import a\n"
        "class C(AppConfig):\n    def ready(self):\n        import b\n"
        "def f():\n    import c\n"
    )
    assert [
        (n.names[0].name, ok)
        for n, _, ok in _imports(snippet)
        if n.names[0].name != "TYPE_CHECKING"
    ] == [
        ("b", True),
        ("c", False),
    ]


# The apps built on the torrents app: they import its services and selectors; it never imports
# them back (it records events they handle, and its pages take their panels from
# torrents/page_panels.py).
BUILT_ON_TORRENTS = ("media", "feeds", "stats", "notifications")


def _imported_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""]


def test_torrents_imports_none_of_the_apps_built_on_it():
    wrong = [
        f"{MODULES[module].relative_to(ROOT)}:{node.lineno} imports {name}"
        for module, tree in TREES.items()
        if module.split(".")[0] == "torrents"
        for node, _, _ in _imports(tree)
        for name in _imported_names(node)
        if name.split(".")[0] in BUILT_ON_TORRENTS
    ]
    assert wrong == []
