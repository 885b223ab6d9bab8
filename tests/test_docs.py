"""The documentation keeps up with the code: every finding code the package can emit has zh and en
wording and a row in the README's findings table; every CLI command has help, and the README's
commands table lists exactly the commands and options the CLI has. Fast: no media, no processes."""

from __future__ import annotations

import ast
import re
import tomllib
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bilingual.cli import app
from bilingual.model import FATAL_CODES

from conftest import REPO

PACKAGE = REPO / "bilingual"
README = (REPO / "README.md").read_text("utf-8")
CODE = re.compile(r"[a-z]+\.[a-z_]+")  # area.name, as every finding code is written


# The calls that make a finding or a fatal error with a code as their first argument; the rest of
# the calls with such a first argument look up interface wording (words("html.title"), asset("page.css")).
MAKERS = {"Finding", "InputError", "OutputError", "__init__", "_finding", "_range", "finding", "flag"}
AT = "at"  # Finding.at(cue, code, severity, ...): the code is the second argument


def emitted_codes() -> set[str]:
    """Codes written as the first argument of a call to one of MAKERS (Finding(...), InputError(...)
    and the rules' small constructors alike), plus the fatal codes."""
    codes = set(FATAL_CODES)
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            position = 1 if isinstance(node, ast.Call) and _name(node.func) == AT else 0
            if isinstance(node, ast.Call) and _name(node.func) in MAKERS | {AT} and len(node.args) > position \
                    and isinstance(node.args[position], ast.Constant):
                value = node.args[position].value
                if isinstance(value, str) and CODE.fullmatch(value):
                    codes.add(value)
    return codes


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def readme_section(title: str) -> str:
    start = README.index(f"\n{title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def findings_table() -> str:
    """The table under "Findings this version produces" (the rows that start with `| area |`)."""
    section = readme_section("## The report")
    table = section[section.index("| area | codes |"):]
    return table[:table.index("\n\n")]


def test_the_scanner_finds_codes_of_every_kind():
    # one made by Finding(...), one by InputError(...), one by a rule's helper, one by the cue rules,
    # one by Finding.at(cue, code, ...)
    assert {"subs.image_only", "profile.invalid", "media.container", "cue.reading_speed",
            "tibetan.private_use", "content.mismatch", "cue.shot_change"} <= emitted_codes()
    assert "messages.toml" not in emitted_codes() and "summary.csv" not in emitted_codes()


@pytest.mark.parametrize("code", sorted(emitted_codes()))
def test_every_finding_code_has_zh_and_en_wording(code):
    catalogue = tomllib.loads((PACKAGE / "messages.toml").read_text("utf-8"))
    # the code's own entry, or only variants ("code/variant") when every finding picks one
    entries = [catalogue[code]] if code in catalogue else [v for k, v in catalogue.items() if k.startswith(f"{code}/")]
    assert entries, f"{code} has no wording in messages.toml"
    for entry in entries:
        assert entry.get("zh", "").strip() and entry.get("en", "").strip(), f"{code}: zh and en wording"


@pytest.mark.parametrize("code", sorted(emitted_codes()))
def test_every_finding_code_is_in_the_readme_table(code):
    assert f"`{code}`" in findings_table()


def test_the_readme_table_lists_only_codes_the_package_emits():
    listed = set(re.findall(r"`([a-z]+\.[a-z_]+)`", findings_table()))
    assert listed - emitted_codes() == set()


# ---- every line a user reads has zh and en wording ---------------------------------------------

# The exceptions whose text is the one stderr line of exit 2 (or of fix's refusal, exit 1).
RAISED = {"InputError", "OutputError", "FixRefused"}
# Calls that look an interface wording up by its key (report.say, and audit's alias of it).
WORDINGS = {"say", "word", "words"}


def _calls(names: set[str]) -> list[tuple[str, ast.Call]]:
    return [(f"{path.name}:{node.lineno}", node) for path in PACKAGE.rglob("*.py")
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Call) and _name(node.func) in names]


def _catalogue() -> dict[str, Any]:
    return tomllib.loads((PACKAGE / "messages.toml").read_text("utf-8"))


def test_every_error_a_user_reads_is_worded_not_written_in_english():
    """An InputError's reason is a messages.toml key, so that `--lang zh` says it in Chinese: a
    reason written out in English (a string as the reason argument) reads English in every language."""
    english = []
    for where, call in _calls(RAISED):
        reason = call.args[1] if _name(call.func) == "InputError" and len(call.args) > 1 else \
            call.args[0] if _name(call.func) == "OutputError" and call.args else None
        if isinstance(reason, (ast.Constant, ast.JoinedStr)) and not (isinstance(reason, ast.Constant)
                                                                      and reason.value is None):
            english.append(where)
    assert _calls(RAISED) and english == []


def test_every_wording_key_written_in_the_code_has_zh_and_en():
    catalogue = _catalogue()
    keys = {node.value for path in PACKAGE.rglob("*.py") for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and re.fullmatch(r"(error|usage|progress|audit|fix\.refused)/[a-z_/]*[a-z]", node.value)}  # not f"…_{x}"
    keys |= {call.args[0].value for _, call in _calls(WORDINGS) if call.args and isinstance(call.args[0], ast.Constant)
             and re.fullmatch(r"[a-z_]+[./][a-z_./]+", str(call.args[0].value))}
    assert len(keys) > 80  # the walk found them (error/…, usage/…, say("progress/check"), …)
    missing = sorted(k for k in keys if not (catalogue.get(k, {}).get("zh") and catalogue.get(k, {}).get("en")))
    assert missing == []


@pytest.mark.parametrize(("args", "said"), [
    (["check", "--bogus"], "bilingual: error: 没有选项 --bogus（见 bilingual check --help）\n"),
    (["check", "--bogus", "--lang", "en"], "bilingual: error: No such option: --bogus (see bilingual check --help)\n"),
    (["check", "a.mp4", "--format", "xml"], "bilingual: error: '--format' / '-f' 的值无效：'xml' 不是 'text', 'json', "
                                            "'html' 之一（见 bilingual check --help）\n"),
    (["transcribe"], "bilingual: error: 缺少参数 'VIDEO'（见 bilingual transcribe --help）\n"),
    (["probe", "--bogus"], "bilingual: error: 没有选项 --bogus（见 bilingual probe --help）\n"),
    (["check", "a.mp4", "--profile"], "bilingual: error: 选项 '--profile' 需要一个值（见 bilingual check --help）\n"),
    (["sample", "extra"], "bilingual: error: Got unexpected extra argument(s) (extra) (see bilingual sample --help)\n"),
])
def test_usage_errors_are_said_in_the_language_of_the_command(args, said, capsys):
    from bilingual.cli import run

    assert run(args) == 2
    assert capsys.readouterr().err == said


# ---- the command line ------------------------------------------------------------------------

# Typer's Click objects (Typer vendors its own Click, so groups are told by their sub-commands).
def is_group(command: Any) -> bool:
    return hasattr(command, "commands")


def commands(group: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every command and sub-command by its path (("check",), ("profiles", "show"), ...), groups too."""
    found: dict[tuple[str, ...], Any] = {}
    for name, command in group.commands.items():
        found[(*prefix, name)] = command
        if is_group(command):
            found |= commands(command, (*prefix, name))
    return found


def options(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "option" and not p.hidden]


ROOT = typer.main.get_command(app)
COMMANDS = commands(ROOT)
LEAVES = {path: c for path, c in COMMANDS.items() if not is_group(c)}


def test_the_walk_finds_groups_and_sub_commands():
    assert {("check",), ("profiles",), ("profiles", "list"), ("profiles", "show")} <= set(COMMANDS)


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "bilingual")
def test_every_command_has_help_and_help_exits_0(path):
    command = COMMANDS[path] if path else ROOT
    assert (command.help or "").strip(), f"bilingual {' '.join(path)} has no help text"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_every_option_has_help():
    for path, command in LEAVES.items():
        for param in options(command):
            assert (param.help or "").strip(), f"bilingual {' '.join(path)} {param.opts[0]}: no help"


def readme_commands() -> dict[tuple[str, ...], set[str]]:
    """The README's commands table: each `bilingual …` usage in a row's first cell, by command path,
    with the option names it shows (long and short: `--output`, `-o`)."""
    section = readme_section("## Commands")
    table = section[section.index("| command |"):]
    usages: dict[tuple[str, ...], set[str]] = {}
    for row in table[:table.index("\n\n")].splitlines()[2:]:
        first_cell = row.split(" | ")[0]
        for usage in re.findall(r"`(bilingual [^`]+)`", first_cell):
            words = tuple(usage.split()[1:3])
            path = words if words in LEAVES else words[:1]  # a sub-command ("profiles show") or a command
            usages[path] = set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", usage))
    return usages


def test_the_readme_commands_table_lists_every_command():
    assert set(readme_commands()) == set(LEAVES)


@pytest.mark.parametrize("path", sorted(LEAVES), ids=" ".join)
def test_the_readme_shows_the_options_each_command_has(path):
    shown = readme_commands().get(path, set())
    names = {name for p in options(LEAVES[path]) for name in (*p.opts, *p.secondary_opts)}
    assert shown - names == set(), f"the README shows options bilingual {' '.join(path)} does not have"
    missing = [p.opts[0] for p in options(LEAVES[path]) if not set(p.opts) & shown]
    assert missing == [], f"bilingual {' '.join(path)} has options the README does not show"


def test_the_readme_test_command_is_what_ci_runs():
    """`.ci/run` runs the README's test command (set-up, ruff, mypy, tests), not a twin that drifts."""
    ci = (REPO / ".ci/run").read_text("utf-8").strip().splitlines()[-1]
    assert f"```sh\n{ci}\n```" in readme_section("## Two commands (fresh Debian 12, Python 3.11, root)")
    assert "ruff check" in ci and "mypy" in ci and "pytest" in ci
