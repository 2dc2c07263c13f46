"""The house's rules, read from the import statements of every module: arrows point one way and nothing cycles."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {  # what each part may import from the project (besides itself)
    "core.nn": set(),
    "core": {"core.nn"},
    "jobs": {"core", "core.nn"},
    "ui": {"core", "core.nn", "jobs"},
    "pages": {"core", "core.nn", "jobs", "ui", "serving"},  # the Train page offers the ONNX export
    "app": {"ui"},
    "serving": {"core", "core.nn", "ui"},  # ui.images: the API decodes a picture as the Draw page does
    "tests": {"core", "core.nn", "jobs", "ui", "pages", "support", "serving", "deploy"},
    "benchmarks": {"core", "core.nn", "jobs", "ui", "support", "serving", "deploy"},
    "support": {"core", "core.nn", "deploy"},  # the tests start app processes as the deployment does
    "deploy": {"jobs"},  # the name of the training slots' directory
}


def part(module: str) -> str:
    return "core.nn" if module.startswith("core.nn") else module.split(".")[0]


def project_imports() -> dict:
    """{module: the project modules it imports}, for every .py file of the project."""
    graph = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "venv", "test-output") or relative.parts[0].startswith("."):
            continue
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        graph[module] = {m for m in imported if part(m) in LAYERS}
    return graph


def test_every_arrow_points_down_the_layers():
    wrong = [f"{module} imports {target}" for module, targets in project_imports().items() for target in targets
             if part(target) != part(module) and part(target) not in LAYERS[part(module)]]
    assert wrong == []


def test_no_module_imports_itself_round_a_cycle():
    graph = project_imports()
    modules = set(graph)
    edges = {m: {t if t in modules else t.rsplit(".", 1)[0] for t in targets} & modules - {m}
             for m, targets in graph.items()}
    done, cycles = set(), []

    def visit(module, path):
        if module in path:
            cycles.append(path[path.index(module):] + [module])
            return
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, path + [module])
        done.add(module)
    for module in sorted(modules):
        visit(module, [])
    assert cycles == []


def test_core_and_jobs_run_without_any_ui_library():
    modules = sorted(m for m in project_imports() if part(m) in ("core", "core.nn", "jobs"))
    code = (f"import sys; import {', '.join(modules)}; "
            "print([m for m in ('streamlit', 'plotly', 'pandas', 'PIL', 'torch', 'sklearn') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]" and len(modules) > 15
