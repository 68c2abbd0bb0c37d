"""Services name the tasks they queue (seedbox/queue.py); every name they use must be a task
the worker knows, or the publish would go to a queue nobody reads."""

import ast
import functools
from pathlib import Path

from seedbox.celery import app

ROOT = Path(__file__).resolve().parents[2]
PUBLISHERS = {"enqueue", "enqueue_after_commit"}


@functools.cache
def _module_constants(source: Path) -> dict[str, object]:
    return _constants(ast.parse(source.read_text()))


def _constants(tree: ast.Module) -> dict[str, object]:
    """The module's NAME = "literal" assignments, and those it imports from this project."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            source = ROOT / (node.module.replace(".", "/") + ".py")
            if source.exists():
                theirs = _module_constants(source)
                found.update(
                    {a.asname or a.name: theirs[a.name] for a in node.names if a.name in theirs}
                )
    return found


def _names_published(tree: ast.Module) -> list[str]:
    constants = _constants(tree)
    names = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if called not in PUBLISHERS:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant):
            names.append(first.value)
        elif isinstance(first, ast.Name):
            names.append(constants.get(first.id, f"<unresolved {first.id}>"))
        else:
            names.append(f"<unresolved {ast.dump(first)}>")
    return names


def test_every_task_a_service_queues_by_name_is_registered():
    app.loader.import_default_modules()
    published = {}
    # The project's own packages (not .venv/, var/ or bench/): a directory with an __init__.py.
    packages = [d for d in ROOT.iterdir() if (d / "__init__.py").exists()]
    for path in (p for package in packages for p in package.rglob("*.py")):
        if "tests" in path.parts or path.name == "queue.py":
            continue
        for name in _names_published(ast.parse(path.read_text(), str(path))):
            published.setdefault(name, str(path.relative_to(ROOT)))
    assert "events.tasks.dispatch_event" in published
    unknown = {name: where for name, where in published.items() if name not in app.tasks}
    assert unknown == {}
