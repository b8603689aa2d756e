"""The package's types as a user's type checker sees them.

``mypy --strict`` and pyright check the sample modules in test/typing/: correct_usage.py, code a
user would write, must check with no error at all; wrong_calls.py must get an error on each
line marked ``# expected-error`` and on no other line. Both checkers run as the user would run
them, in a subprocess of this Python, on the package's source.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple

import pytest

pytestmark = pytest.mark.typing

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parent / "typing"
CORRECT = SAMPLES / "correct_usage.py"
WRONG = SAMPLES / "wrong_calls.py"
MARK = "# expected-error"
#: A checker's first run on a cold machine builds its caches; it still takes well under this.
TIMEOUT = 600
_MYPY_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): error: (?P<message>.*)$")


class Diagnostic(NamedTuple):
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}: {self.message}"


def _run(command: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _mypy(sample: Path, cache: Path) -> List[Diagnostic]:
    result = _run(
        [
            sys.executable, "-m", "mypy", "--strict",
            "--config-file", str(ROOT / "pyproject.toml"),
            "--cache-dir", str(cache / "mypy"),
            "--no-error-summary", "--no-color-output", "--no-pretty", "--show-error-codes",
            str(sample.relative_to(ROOT)),
        ],
        dict(os.environ),
    )
    # 0: no error, 1: errors found, 2: mypy itself could not run.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found = (_MYPY_LINE.match(line) for line in result.stdout.splitlines())
    return [
        Diagnostic((ROOT / match["file"]).resolve(), int(match["line"]), match["message"])
        for match in found
        if match
    ]


def _pyright(sample: Path, cache: Path) -> List[Diagnostic]:
    # The wrapper's notice that a newer pyright exists would land in the JSON on stdout.
    env = {**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"}
    result = _run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, str(sample)],
        env,
    )
    # 0: no error, 1: errors found, anything else: pyright itself could not run.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report = json.loads(result.stdout[result.stdout.index("{"):])
    return [
        Diagnostic(Path(item["file"]).resolve(), item["range"]["start"]["line"] + 1, item["message"])
        for item in report["generalDiagnostics"]
        if item["severity"] == "error"
    ]


CHECKERS: Dict[str, Callable[[Path, Path], List[Diagnostic]]] = {"mypy": _mypy, "pyright": _pyright}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the module's runs, so the second run reuses what the first learnt."""
    return tmp_path_factory.mktemp("type-checker-cache")


@pytest.mark.parametrize("checker", CHECKERS)
def test_correct_user_code_passes_the_type_checker(checker: str, cache: Path) -> None:
    errors = CHECKERS[checker](CORRECT, cache)
    assert not errors, f"{checker} rejects correct code:\n" + "\n".join(map(str, errors))


@pytest.mark.parametrize("checker", CHECKERS)
def test_each_wrong_call_is_an_error_on_its_own_line(checker: str, cache: Path) -> None:
    lines = WRONG.read_text(encoding="utf-8").splitlines()
    marked = {number for number, text in enumerate(lines, start=1) if text.rstrip().endswith(MARK)}
    assert len(marked) >= 10  # the sample still holds its mistakes

    errors = CHECKERS[checker](WRONG, cache)
    flagged = {error.line for error in errors if error.file == WRONG}
    missed = [f"{WRONG.name}:{number}: {lines[number - 1].strip()}" for number in sorted(marked - flagged)]
    unexpected = [str(error) for error in errors if error.file != WRONG or error.line not in marked]
    problems = []
    if missed:
        problems.append(f"{checker} accepts these mistakes:\n" + "\n".join(missed))
    if unexpected:
        problems.append(f"{checker} reports errors on unmarked lines:\n" + "\n".join(unexpected))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("sample", [CORRECT, WRONG], ids=lambda path: path.name)
def test_the_samples_import_at_run_time_without_calling_anything(sample: Path) -> None:
    # The names they import must exist at run time, not only for the checkers.
    spec = importlib.util.spec_from_file_location(f"typing_sample_{sample.stem}", sample)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    own = [value for value in vars(module).values() if getattr(value, "__module__", None) == module.__name__]
    assert own and all(inspect.isfunction(value) for value in own)
