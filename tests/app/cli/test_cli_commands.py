"""The command tree of ``regdesk-cli``: every command module registers, the names are the
contract's (DESIGN §7, README), and every command and action answers ``--help``."""

from __future__ import annotations

import argparse
import pkgutil

import pytest

import app.cli.commands as commands_package
from app.cli.commands import COMMANDS
from app.cli.main import build_parser, main

# Commands and their actions, in the order ``regdesk-cli --help`` lists them. Scripts and
# acceptance checks call these names: removing or renaming one breaks them.
TREE = {
    "init": None,
    "demo": None,
    "roster": ["import", "export", "template"],
    "candidate": ["show", "find", "set"],
    "audit": ["verify", "list"],
    "user": ["add", "list", "set"],
    "reference": ["import"],
    "review": ["run", "decide", "approve-clean", "list", "changes"],
    "waiver": ["add", "revoke", "signed"],
    "settings": ["show", "set"],
    "print": None,
    "verify-page": None,
    "photo": ["check"],
    "devices": ["list"],
    "fingerprint": ["capture"],
}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaves() -> list[tuple[list[str], argparse.ArgumentParser]]:
    out = []
    for name, p in _subcommands(build_parser()).items():
        actions = _subcommands(p)
        if not actions:
            out.append(([name], p))
        out.extend(([name, action], q) for action, q in actions.items())
    return out


def test_every_command_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(commands_package.__path__) if not m.name.startswith("_")}
    listed = {m.__name__.rsplit(".", 1)[1] for m in COMMANDS}
    assert listed == modules, "a module in app/cli/commands/ is missing from COMMANDS (or the other way round)"
    assert all(callable(getattr(m, "register", None)) for m in COMMANDS)


def test_the_command_tree_is_the_contracts() -> None:
    top = _subcommands(build_parser())
    assert list(top) == list(TREE)
    for name, actions in TREE.items():
        assert list(_subcommands(top[name])) == (actions or []), name


def test_every_command_runs_a_handler_and_takes_json() -> None:
    for path, p in _leaves():
        assert callable(p.get_default("handler")), path
        assert "--json" in p._option_string_actions, path


@pytest.mark.parametrize("path", [[]] + [[name] for name in TREE] + [path for path, _ in _leaves() if len(path) == 2],
                         ids=lambda path: " ".join(path) or "regdesk-cli")
def test_every_help_answers_in_chinese(capsys, path: list[str]) -> None:
    assert main([*path, "--help"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"用法：{' '.join(['regdesk-cli', *path])} ") and err == ""
    assert "选项" in out and "显示本帮助并退出" in out
