"""The Chinese catalogue: every entry translated, placeholders kept, the compiled .mo
the same as the .po, and every literal the code and templates translate present.

Regenerate after changing strings (from the project root):

    manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var
    # translate the new entries, remove any "fuzzy" flags
    manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var
"""

from __future__ import annotations

import ast
import gettext
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SKIP_DIRS = {".venv", "var", "tests", "migrations", "node_modules", "benchmarks", "__pycache__"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a PO string literal is a valid Python literal


def parse_po(path: Path) -> list[Entry]:
    """A small PO reader: enough for the catalogues makemessages writes."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):  # obsolete entry: not part of the catalogue
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line):
            keyword, index, value = match.groups()
            value = _unquote(value)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else None)
                entry.msgstr[target[1]] = value
            else:
                target = (keyword, None)
                setattr(entry, keyword, value)
        elif line.startswith('"') and target is not None:
            value = _unquote(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], (getattr(entry, target[0]) or "") + value)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run makemessages"
    entries = parse_po(PO)
    assert entries and entries[0].msgid == "", "the header comes first"
    return entries[1:]


def test_the_header_declares_utf8_and_chinese_plurals():
    header = parse_po(PO)[0]
    assert "fuzzy" not in header.flags
    text = header.msgstr[None]
    assert "charset=UTF-8" in text
    assert "nplurals=1" in text


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    problems = [
        f"line {e.line}: {e.msgid!r}"
        for e in catalogue
        if "fuzzy" in e.flags or not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert not problems, "untranslated or fuzzy entries:\n" + "\n".join(problems)
    assert len(catalogue) > 300


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def test_translations_keep_the_placeholders(catalogue):
    problems = []
    for e in catalogue:
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        for text in e.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"line {e.line}: {e.msgid!r} → {text!r}")
    assert not problems, "\n".join(problems)


def test_domain_vocabulary(catalogue):
    translations = {e.msgid: e.msgstr.get(None) for e in catalogue}
    expected = {
        "Community governance records": "社区治理档案",
        "Residential compound": "小区",
        "Development zone": "开发区",
        "Grid": "网格",
        "hierarchy scheme": "层级方案",
        "staff role": "工作人员角色",
        "community cadre": "社区干部",
        "Coverage": "覆盖率",
        "Enterprises": "两新组织",
        "Home": "首页",
    }
    for msgid, msgstr in expected.items():
        assert translations.get(msgid) == msgstr, msgid


def test_the_mo_file_is_compiled_from_this_po(catalogue):
    """The .mo (committed, used at run time) says exactly what the .po says. File
    times are not compared: a git checkout sets them in any order."""
    assert MO.exists(), f"{MO} is missing: run compilemessages"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in catalogue:
        if e.msgid_plural is not None:
            got = compiled.ngettext(e.msgid, e.msgid_plural, 1)
            want = e.msgstr[0]
        elif e.msgctxt is not None:
            got, want = compiled.pgettext(e.msgctxt, e.msgid), e.msgstr[None]
        else:
            got, want = compiled.gettext(e.msgid), e.msgstr[None]
        if got != want:
            stale.append(e.msgid)
    assert not stale, "the .mo is older than the .po; run compilemessages:\n" + "\n".join(stale)
    assert len(compiled._catalog) - 1 == len(catalogue), "the .mo has entries the .po does not"


# --- Every literal the project translates is in the catalogue --------------------------

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}


def _project_files(suffix: str):
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith(suffix):
                yield Path(folder, name)


def _python_msgids():
    for path in _project_files(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in GETTEXT_NAMES and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield path.relative_to(ROOT), first.value


TEMPLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")


def _template_msgids():
    for path in _project_files(".html"):
        if "templates" in path.relative_to(ROOT).parts:
            for match in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
                yield path.relative_to(ROOT), match.group(2)


def test_every_translated_literal_is_in_the_catalogue(catalogue):
    known = {e.msgid for e in catalogue}
    missing = sorted(
        {f"{path}: {msgid!r}" for path, msgid in [*_python_msgids(), *_template_msgids()] if msgid not in known}
    )
    assert not missing, "run makemessages and translate:\n" + "\n".join(missing)


def test_the_catalogue_is_used_at_run_time():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Community governance records") == "社区治理档案"
    with translation.override("en"):
        assert translation.gettext("Community governance records") == "Community governance records"
