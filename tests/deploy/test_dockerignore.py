"""`.dockerignore` keeps secrets and local state out of the image.

`COPY . .` in the Dockerfile copies the build context; a named volume created later is filled
from the image's folder, so a developer's signing key in `var/signing` would become the
production key. These tests read `.dockerignore` with Docker's own matching rules (see
`DockerIgnore`) against the paths that must never ship and the files the image needs.

No library reads `.dockerignore` the way Docker does (gitignore matchers such as `pathspec`
let `*.pyc` match in every folder; Docker matches it at the top only), so `DockerIgnore`
follows moby's `patternmatcher` package, which `docker build` uses: each pattern is cleaned
and anchored at the context's root, `*` and `?` stay within one path segment, `**` spans any
number of segments, a path is left out when it or one of its parent folders matches, and the
last matching pattern wins (`!` puts a path back).
"""

import posixpath
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


class DockerIgnore:
    def __init__(self, text: str):
        self.rules = []
        for line in text.splitlines():
            pattern = line.strip()
            if not pattern or pattern.startswith("#"):
                continue
            include = pattern.startswith("!")
            pattern = posixpath.normpath(pattern.removeprefix("!").strip()).lstrip("/")
            self.rules.append((include, re.compile(self._regex(pattern))))

    @staticmethod
    def _regex(pattern: str) -> str:
        regex, i = "^", 0
        while i < len(pattern):
            char = pattern[i]
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    i += 1
                regex += ".*" if i == len(pattern) else "(.*/)?"
                continue
            if char == "*":
                regex += "[^/]*"
            elif char == "?":
                regex += "[^/]"
            elif char == "[":
                end = pattern.index("]", i + 1)
                body = pattern[i + 1 : end]
                regex += "[" + ("^" + body[1:] if body.startswith(("!", "^")) else body) + "]"
                i = end
            else:
                regex += re.escape(char)
            i += 1
        return regex + "$"

    def excludes(self, path: str) -> bool:
        parts = path.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for include, regex in self.rules:
            if any(regex.match(candidate) for candidate in candidates):
                excluded = not include
        return excluded


@pytest.fixture(scope="module")
def dockerignore():
    return DockerIgnore((REPO_ROOT / ".dockerignore").read_text(encoding="utf-8"))


NEVER_SHIPPED = [
    ".env",
    ".env.production",
    ".env.local",
    ".venv/bin/python",
    ".venv/lib/python3.11/site-packages/django/__init__.py",
    "db.sqlite3",
    "db.sqlite3-wal",
    "db.sqlite3-shm",
    "db.sqlite3-journal",
    "media/contract_exports/2026/cohort-7.zip",
    "media/import-staging/0f3a.csv",
    "var/signing/default.key.pem",
    "var/signing/default.cert.pem",
    "var/signing/acme.key.pem",
    ".git/config",
    ".git/objects/pack/pack-1.pack",
    "e2e-screenshots/members/01-welcome.png",
    "accounts/__pycache__/views.cpython-311.pyc",
    "tests/contracts/__pycache__/test_sign.cpython-311-pytest-8.4.pyc",
    "__pycache__/manage.cpython-311.pyc",
    "staticfiles/staticfiles.json",
    "celerybeat-schedule",
    "celerybeat-schedule.db",
    "peermentor.egg-info/PKG-INFO",
    ".pytest_cache/v/cache/lastfailed",
    ".ruff_cache/0.8.0/123",
]


@pytest.mark.parametrize("path", NEVER_SHIPPED)
def test_secrets_and_local_state_stay_out_of_the_image(dockerignore, path):
    assert dockerignore.excludes(path)


def git_paths(*args: str) -> list[str]:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "ls-files", "-z", *args],  # noqa: S607 - git from PATH
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )
    return [path.rstrip("/") for path in result.stdout.decode().split("\0") if path]


# Tracked files the image does without: the environment examples are read by people, not the app.
NOT_NEEDED_IN_THE_IMAGE = {".env.example", ".env.production.example"}


def test_every_tracked_file_the_app_needs_is_in_the_image(dockerignore):
    tracked = git_paths()

    left_out = [
        path
        for path in tracked
        if dockerignore.excludes(path) and path not in NOT_NEEDED_IN_THE_IMAGE
    ]

    assert "manage.py" in tracked
    assert left_out == []


def test_everything_git_ignores_in_this_checkout_stays_out_of_the_image(dockerignore):
    """The real leftovers of this checkout (virtualenv, caches, databases, keys, .env)."""
    ignored = git_paths("--others", "--ignored", "--exclude-standard", "--directory")

    assert [path for path in ignored if not dockerignore.excludes(path)] == []


def test_the_matcher_follows_dockers_rules():
    rules = DockerIgnore("*.pyc\n**/*.log\ncache\n/build/\nsecret*\n!secret.md\n# note\n")

    assert rules.excludes("top.pyc")
    assert not rules.excludes("app/nested.pyc")  # `*` only at the top, unlike .gitignore
    assert rules.excludes("a/b/c.log") and rules.excludes("c.log")
    assert rules.excludes("cache/deep/file.txt")  # a folder takes its contents along
    assert rules.excludes("build/x")
    assert rules.excludes("secret.txt")
    assert not rules.excludes("secret.md")  # the last matching rule wins
    assert not rules.excludes("# note")
