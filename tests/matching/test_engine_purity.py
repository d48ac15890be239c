"""The matching engine imports no Django: neither the package nor any of its submodules."""

import pkgutil
import subprocess
import sys
from pathlib import Path

from matching import engine

REPO_ROOT = Path(__file__).resolve().parents[2]
# Imports one module in a fresh interpreter and prints the Django modules it brought in.
PROBE = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "print(sorted(name for name in sys.modules if name.startswith('django')))"
)


def test_the_engine_and_each_of_its_submodules_import_no_django():
    modules = [engine.__name__] + [
        f"{engine.__name__}.{info.name}" for info in pkgutil.iter_modules(engine.__path__)
    ]
    assert len(modules) > 1, "the engine's submodules were not found"

    django_modules = {}
    for module in modules:
        result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-c", PROBE, module],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"importing {module} failed:\n{result.stderr}"
        django_modules[module] = result.stdout.strip()

    assert django_modules == {module: "[]" for module in modules}
