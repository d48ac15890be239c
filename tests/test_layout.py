"""Where things live: a feature on top of an app is a package of that app with its own views,
forms and urls, never a family of `<feature>_views.py` files at the app's top level, and the
root URLconf includes one URL module per app."""

import pkgutil
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import URLResolver

from peermentor import urls as root_urls

# A module named for a feature and a layer: `privacy_views`, `import_urls`, `audit_forms`.
FEATURE_MODULE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*_(views|urls|forms|selectors)$")
# Or named for one of the features that became packages: `dashboard_charts`, `reminder_demo`.
FEATURE_PREFIX = re.compile(
    r"^(dashboard|cockpit|privacy|reminder|import|document|audit|language|security)_"
)


def project_apps():
    """The project's own apps (not Django's or allauth's): the folders at the repository's top
    level (a virtualenv inside the repository holds third-party apps deeper down)."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config for config in apps.get_app_configs() if Path(config.path).resolve().parent == base
    ]


def top_level_modules(config) -> list[str]:
    return [module.name for module in pkgutil.iter_modules([config.path])]


def test_the_project_apps_are_found():
    assert {config.name for config in project_apps()} >= {
        "accounts",
        "profiles",
        "matching",
        "contracts",
        "checkins",
    }


def test_no_app_has_a_feature_prefixed_module_at_its_top_level():
    offenders = [
        f"{config.name}/{name}.py"
        for config in project_apps()
        for name in top_level_modules(config)
        if FEATURE_MODULE.match(name) or FEATURE_PREFIX.match(name)
    ]
    assert offenders == [], (
        "Make each feature a package of its app with its own views.py, forms.py and urls.py: "
        + ", ".join(offenders)
    )


def test_no_module_or_package_is_named_cockpit():
    base = Path(settings.BASE_DIR)
    named = [
        str(path.relative_to(base))
        for config in project_apps()
        for path in Path(config.path).rglob("*cockpit*")
    ]
    assert named == []


def test_the_root_urlconf_includes_one_url_module_per_app():
    included = [
        pattern.urlconf_name.__name__
        for pattern in root_urls.urlpatterns
        if isinstance(pattern, URLResolver) and hasattr(pattern.urlconf_name, "__name__")
    ]
    project = {config.name: config for config in project_apps()}
    ours = [name for name in included if name.split(".")[0] in project]
    with_urls = [name for name, config in project.items() if "urls" in top_level_modules(config)]

    assert sorted(ours) == sorted(f"{name}.urls" for name in with_urls)
