"""The code's shape, checked: apps import only downwards (not even a string names a higher app), and no module imports
another that imports it back at import time. See the README's "Apps and layers"."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lower to higher: an app may use the apps before it, never those after it. Apps on one level do not know each other.
LEVELS = [["itsm"], ["outbox"], ["vip"], ["people"], ["services"], ["tickets"], ["workflow"], ["reports", "search"]]
LEVELS.append(["bench"])
LEVEL = {app: n for n, apps in enumerate(LEVELS) for app in apps}
# The project's glue names every app: the settings list them, the URLs mount them.
GLUE = {"itsm/settings.py", "itsm/test_settings.py", "itsm/urls.py"}
NAMED = re.compile(r"^(" + "|".join(LEVEL) + r")[.:][a-z_]")


def modules() -> dict[str, Path]:
    found = {}
    for app in LEVEL:
        for path in (ROOT / app).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = modules()


def _import_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        # `from package import module` depends on the module, `from module import name` on the module.
        return [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module for a in node.names]
    return []


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _import_time_nodes(body: list[ast.stmt]):
    """The statements that run when the module is imported: not function bodies, not `if TYPE_CHECKING:`."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or _type_checking(node):
            continue
        yield node
        for child in ("body", "orelse", "handlers", "finalbody"):
            inner = getattr(node, child, None)
            if isinstance(inner, list):
                yield from _import_time_nodes(inner)


def test_no_app_names_a_higher_one_not_even_in_a_string():
    wrong = []
    for name, path in MODULES.items():
        relative = str(path.relative_to(ROOT))
        if relative in GLUE or "/migrations/" in relative:
            continue
        app = name.split(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            named = _import_names(node)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAMED.match(node.value):
                named = [node.value]
            for target in named:
                other = re.split(r"[.:]", target)[0]
                if other in LEVEL and other != app and LEVEL[other] >= LEVEL[app]:
                    wrong.append(f"{relative}:{node.lineno} ({app}) names {target}")
    assert wrong == []


def test_migrations_depend_only_on_lower_apps():
    wrong = []
    for path in ROOT.glob("*/migrations/0*.py"):
        app = path.parts[-3]
        for other, _ in re.findall(r"\(\s*['\"](\w+)['\"],\s*['\"](\w+)['\"]\s*\)", path.read_text()):
            if other in LEVEL and other != app and LEVEL[other] >= LEVEL.get(app, -1):
                wrong.append(f"{path.relative_to(ROOT)} depends on {other}")
    assert wrong == []


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        if ".migrations" in name:
            continue
        tree = ast.parse(path.read_text())
        graph[name] = {
            target
            for node in _import_time_nodes(tree.body)
            for target in _import_names(node)
            if target in MODULES and target != name
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60


def python_files(root: Path = ROOT) -> list[Path]:
    """Every Python file of the repository but the migrations (generated) and the virtualenv."""
    skipped = {".venv", "node_modules", ".git", "migrations"}
    return sorted(path for path in root.rglob("*.py") if not skipped & set(path.relative_to(root).parts))


def long_files(root: Path = ROOT, limit: int = MAX_FILE_LINES) -> list[str]:
    found = []
    for path in python_files(root):
        lines = len(path.read_text().splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root)}: {lines} lines")
    return found


def long_functions(root: Path = ROOT, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions and methods longer than `limit` lines, from the `def` line to the last line of the body."""
    found = []
    for path in python_files(root):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}() is {length} lines")
    return found


def test_no_python_file_passes_500_lines():
    assert long_files() == []


def test_no_function_passes_60_lines():
    assert long_functions() == []


def test_the_length_checks_find_a_long_file_and_a_long_function_but_skip_migrations(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(59))
    (tmp_path / "fits.py").write_text(f"def fits():\n{body}\n" + "\n" * 440)  # 500 lines, a 60-line function
    (tmp_path / "long.py").write_text(f"async def long():\n{body}\n    x = 0\n" + "\n" * 440)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_initial.py").write_text(f"def generated():\n{body}\n    x = 0\n" * 20)
    assert long_files(tmp_path) == ["long.py: 501 lines"]
    assert long_functions(tmp_path) == ["long.py:1 long() is 61 lines"]
