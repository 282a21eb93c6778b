"""The page registry: which role sees which page, and a new page being one entry."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from app.auth import ROLES, Actor
from ui.shell import page_registry
from ui.shell.page_registry import Page, pages_for

# The pages each role sees, in navigation order.
EXPECTED = {
    "admin": ["roster", "station", "audit", "review", "documents", "users"],
    "secretary": ["roster", "station", "audit", "review", "documents"],
    "counsellor": ["roster", "station", "audit", "documents"],
    "reviewer": ["roster", "audit", "review", "documents"],
    "central": ["roster", "audit", "documents"],
    "supervisor": ["roster", "audit", "review", "documents"],
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_sees_the_pages_its_permissions_allow(role):
    assert [p.key for p in pages_for(Actor("u", "某人", role))] == EXPECTED[role]


def test_a_new_page_is_one_entry(qtbot, monkeypatch, make_window, container, actor):
    built: list[QLabel] = []
    shown: list[QLabel] = []

    def factory(window):
        built.append(QLabel("新页面", window))
        return built[-1]

    extra = Page("extra", "新页面", "只为测试", None, factory, on_shown=shown.append)
    monkeypatch.setattr(page_registry, "PAGES", (*page_registry.PAGES, extra))
    w = make_window(container, actor)
    assert w.page_keys[-1] == "extra" and w.nav.item(w.nav.count() - 1).text() == "新页面"
    assert built == []  # built when first opened
    assert w.show_page("extra") is built[0] and w.stack.currentWidget() is built[0]
    w.show_page("roster")
    w.show_page("extra")
    assert len(built) == 1 and shown == [built[0]]


def test_a_page_the_role_may_not_open_is_not_listed(qtbot, monkeypatch, make_window, container, actor):
    container.setup.create_user(actor, "fdy01", "李红", "counsellor", "Passw0rd9")
    counsellor = container.setup.login("fdy01", "Passw0rd9")
    extra = Page("extra", "新页面", "只为测试", "users.manage", lambda window: QLabel(window))  # admins only
    monkeypatch.setattr(page_registry, "PAGES", (*page_registry.PAGES, extra))
    assert "extra" in make_window(container, actor).page_keys
    assert "extra" not in make_window(container, counsellor).page_keys


def test_every_page_gets_its_services_and_none_keeps_the_container(qtbot, make_window, container, actor):
    """The registry's factories hand each view the services it uses: no widget of any page (nor
    the dialogs the window opens) holds the container."""
    from PySide6.QtWidgets import QWidget

    w = make_window(container, actor)
    pages = [w.show_page(key) for key in w.page_keys]
    w.show_demo_panel()
    widgets = [widget for page in pages for widget in (page, *page.findChildren(QWidget))]
    widgets += [w.demo_panel, *w.demo_panel.findChildren(QWidget)]
    assert len(pages) == len(EXPECTED["admin"])
    holding = [type(widget).__name__ for widget in widgets
               if any(value is container for value in vars(widget).values())]
    assert holding == []
