"""Dependencies run one way (README, "Architecture"):

    recommendations  <-  authorities  <-  responses  <-  laming (settings, urls, home page)

The reference data knows nothing of councils; councils and their papers know the reference data;
responses, and everything built from them (dashboards, exports, the Cabinet report), know both. Any
app may use laming.forms, the project's shared form pieces, which imports no app. This test reads
every module's imports and fails on one that runs back up.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["recommendations", "authorities", "responses"]
SHARED = {"laming.forms"}  # usable by every app; imports no app itself


def modules():
    for package in [*ORDER, "laming"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported(module, source, is_package=False):
    """The project modules a module imports, as dotted names (relative imports resolved)."""
    package = module if is_package else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                yield node.module


def layer(name):
    if any(name == shared or name.startswith(shared + ".") for shared in SHARED):
        return "shared"
    top = name.split(".")[0]
    return top if top in [*ORDER, "laming"] else None


def wrong_way(module, source, is_package=False):
    """The imports of `module` that run against the order of the apps."""
    own = layer(module)
    found = []
    for name in imported(module, source, is_package):
        other = layer(name)
        if other is None or other == own:
            continue
        if own == "shared":
            found.append(name)  # the shared pieces import no app
        elif own == "laming" or other == "shared":
            continue  # the project's top layer may import every app
        elif other == "laming" or ORDER.index(other) > ORDER.index(own):
            found.append(name)
    return found


@pytest.mark.parametrize("path", list(modules()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_imports_against_the_order_of_the_apps(path):
    assert wrong_way(module_name(path), path.read_text(), path.name == "__init__.py") == []


@pytest.mark.parametrize(
    ("module", "source", "caught"),
    [
        (
            "authorities.views",
            "from responses.models import LocalResponse\nfrom .models import Authority",
            True,
        ),
        ("recommendations.models", "from ..authorities import models", True),
        ("responses.cabinet.views", "from ..models import LocalResponse\nfrom authorities import pdf", False),
        ("laming.forms", "from recommendations.models import Theme", True),
        ("authorities.forms", "from laming.forms import GovukDateField", False),
        ("authorities.forms", "from laming.views import HomeView", True),
    ],
)
def test_the_check_tells_a_wrong_way_import_from_a_right_one(module, source, caught):
    """A test that cannot fail is no test: the check itself, on imports each way."""
    assert bool(wrong_way(module, source)) is caught
