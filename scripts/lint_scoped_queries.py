"""Fail when a view reaches personal data without the access policy (style.md house rule 2).

In every ``divert/*/views.py`` and every other module that handles a request, a sensitive
model may only be queried as ``Model.objects.visible_to(...)`` (possibly after other QuerySet
methods), and never through
``get_object_or_404(Model, ...)``. A deliberate exception carries ``# scoped-query: allow <why>``
on the line itself or on the line above.

Usage: python scripts/lint_scoped_queries.py [paths...]   (exit 1 on findings)
"""

import ast
import sys
from pathlib import Path

SENSITIVE_MODELS = {
    "Person",
    "Alias",
    "Alert",
    "Episode",
    "Offer",
    "Need",
    "Assessment",
    "Contact",
    "Task",
    "PoliceOutcome",
    "CourtHearing",
    "Administration",
    "Answer",
    "OnwardReferral",
    "ReferralStatusChange",
    "ConsentDecision",
    "Disclosure",
    "Document",
    "Amendment",
}
ALLOW_MARK = "scoped-query: allow"


def _chain_has_visible_to(node: ast.AST) -> bool:
    """True when ``node`` sits inside a call chain that includes ``.visible_to(...)``."""
    parent = getattr(node, "divert_parent", None)
    while isinstance(parent, ast.Attribute | ast.Call):
        if isinstance(parent, ast.Attribute) and parent.attr == "visible_to":
            return True
        parent = getattr(parent, "divert_parent", None)
    return False


def check_source(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child.divert_parent = parent  # type: ignore[attr-defined]
    problems = []
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            nearby = lines[max(node.lineno - 2, 0) : node.lineno]
            if any(ALLOW_MARK in line for line in nearby):
                continue
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in SENSITIVE_MODELS
            and not _chain_has_visible_to(node)
        ):
            problems.append(
                f"{filename}:{node.lineno}: {node.value.id}.{node.attr} used without "
                ".visible_to(user)"
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"get_object_or_404", "get_list_or_404"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in SENSITIVE_MODELS
        ):
            problems.append(
                f"{filename}:{node.lineno}: {node.func.id}({node.args[0].id}, ...) bypasses "
                "the access policy; pass a visible_to() queryset"
            )
    return problems


# The policy module defines the scoping itself, so it is the one module allowed raw managers.
POLICY_MODULE = Path("divert/accounts/access.py")


def request_handling_modules() -> list[Path]:
    """Every ``views.py``, and any other app module that handles a request (it names
    ``HttpRequest``), such as ``sharing/downloads.py``; not the policy module."""
    paths = set(Path("divert").glob("*/views.py"))
    for path in Path("divert").glob("*/*.py"):
        if path != POLICY_MODULE and "HttpRequest" in path.read_text():
            paths.add(path)
    return sorted(paths)


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or request_handling_modules()
    problems = [p for path in paths for p in check_source(path.read_text(), str(path))]
    for problem in problems:
        print(problem)
    print(f"scoped-query lint: {len(paths)} view modules, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
