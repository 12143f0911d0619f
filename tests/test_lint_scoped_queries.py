"""The scoped-query lint catches unscoped personal-data access in views (house rule 2)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lint_scoped_queries.py"
spec = importlib.util.spec_from_file_location("lint_scoped_queries", SCRIPT)
lint = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lint)


@pytest.mark.parametrize(
    "source",
    [
        "Episode.objects.get(pk=1)",
        "Person.objects.filter(family_name='x').first()",
        "get_object_or_404(Episode, pk=1)",
        "Disclosure.objects.all()",
    ],
)
def test_unscoped_access_is_reported(source):
    """Reaching a sensitive model without visible_to is a finding."""
    assert lint.check_source(source, "views.py") != []


@pytest.mark.parametrize(
    "source",
    [
        "Episode.objects.visible_to(user).get(pk=1)",
        "Episode.objects.visible_to(request.user).with_stage().filter(x=1)",
        "Site.objects.all()",
        "Person.objects.current().get(pk=1)  # scoped-query: allow (break-glass)",
        "# scoped-query: allow (IG request)\nPerson.objects.current().get(pk=1)",
    ],
)
def test_scoped_or_allowed_access_passes(source):
    """Scoped querysets, non-sensitive models and marked exceptions are fine."""
    assert lint.check_source(source, "views.py") == []


def test_project_views_pass_the_lint(monkeypatch):
    """Every view module in the project passes."""
    monkeypatch.chdir(SCRIPT.parent.parent)

    assert lint.main([]) == 0
