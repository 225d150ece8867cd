"""The dashboard: the menu and each role's home block, filled by the apps themselves.

Each app registers its menu entries and a section provider in its own `dashboard.py` (imported by its
AppConfig.ready), so a new module adds its pages and to-dos without editing the kernel. A provider is
called once per active membership with (user, membership, section) and adds to `section` (its keys
are read by the templates in core/templates/core/home/), its to-dos through `todo()`.
"""

from dataclasses import dataclass

from django.urls import reverse

from mutu.accounts.models import ROLE_SCOPE
from mutu.accounts.permissions import has_perm


@dataclass(frozen=True)
class MenuEntry:
    order: int
    label: object  # lazy translation
    url_name: str
    perm: str | None  # None: every signed-in user


MENU = []
SECTION_PROVIDERS = []  # (order, provider)


def register_menu(order, label, url_name, perm=None):
    if any(entry.url_name == url_name for entry in MENU):
        return  # registered already (an app's ready() run twice)
    MENU.append(MenuEntry(order, label, url_name, perm))
    MENU.sort(key=lambda entry: entry.order)


def register_section(order):
    """Decorator: `provider(user, membership, section)` adds its part to a membership's home block."""

    def decorator(provider):
        if (order, provider) in SECTION_PROVIDERS:
            return provider
        SECTION_PROVIDERS.append((order, provider))
        SECTION_PROVIDERS.sort(key=lambda item: item[0])
        return provider

    return decorator


def todo(text, url=None):
    return {"text": text, "url": url}


def menu_for(user, path):
    items = []
    for entry in MENU:
        if entry.perm is None or has_perm(user, entry.perm):
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "active": path == url})
    return items


def section_for(user, membership):
    """One membership's block on the home page, as its apps fill it."""
    section = {
        "membership": membership,
        "template": f"core/home/{ROLE_SCOPE[membership.role]}.html",
        "todos": [],
        "panels": [],  # templates an app adds below the role's block, each given `section`
    }
    for _order, provider in SECTION_PROVIDERS:
        provider(user, membership, section)
    return section
