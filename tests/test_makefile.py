"""`make run` says what it is doing while it installs, and the README explains every Make
variable and the system libraries the contract PDFs need."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
MAKEFILE = (BASE / "Makefile").read_text(encoding="utf-8")
README = (BASE / "README.md").read_text(encoding="utf-8")


def recipe(target: str) -> list[str]:
    """The command lines of `target`'s recipe."""
    lines = MAKEFILE.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        body.append(line.strip())
    return body


def test_installing_prints_a_line_before_each_step_and_keeps_pip_progress_visible():
    steps = recipe("$(STAMP)")
    pip_lines = [i for i, line in enumerate(steps) if "pip install" in line]

    assert len(pip_lines) == 2
    assert all(steps[i - 1].startswith('@echo "==> ') for i in pip_lines)
    assert not any("--quiet" in line for line in steps)


def test_running_prints_a_line_before_each_step():
    steps = recipe("run")
    commands = [i for i, line in enumerate(steps) if line.startswith("$(BIN)/python manage.py")]

    assert [steps[i - 1].startswith('@echo "==> ') for i in commands[:2]] == [True, True]


def test_every_make_variable_is_explained_in_the_readme():
    variables = re.findall(r"^([A-Z_]+) *[:?]?=", MAKEFILE, flags=re.MULTILINE)

    assert {"PYTHON", "HOST", "VENV"} <= set(variables)
    assert [name for name in variables if f"`{name}`" not in README] == []


def test_the_readme_names_the_libraries_weasyprint_needs_on_debian():
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b"):
        assert package in README
