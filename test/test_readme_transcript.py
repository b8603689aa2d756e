"""The README's command-line transcript is what the installed ``openapi-client`` command prints."""

from __future__ import annotations

import re
import subprocess
import sysconfig
from pathlib import Path
from typing import List, Tuple

README = Path(__file__).resolve().parents[1] / "README.md"
#: The console script the package installs, beside the interpreter running the tests.
COMMAND = Path(sysconfig.get_path("scripts")) / "openapi-client"


def _transcript() -> List[Tuple[List[str], str]]:
    """The ``$ command`` lines of the README's command-line section, each with the output shown."""
    section = README.read_text(encoding="utf-8").split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```console\n(.*?)\n```", section, re.DOTALL)
    assert block is not None
    steps: List[Tuple[List[str], str]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].split(), ""))
        else:
            words, shown = steps[-1]
            steps[-1] = (words, shown + line + "\n")
    return steps


def test_the_readme_transcript_is_what_the_command_prints() -> None:
    steps = _transcript()
    # The SDK's main job, against the embedded mock: list the tasks, then get one.
    assert [words[:3] for words in (step[0] for step in steps)] == [
        ["openapi-client", "tasks", "list"],
        ["openapi-client", "tasks", "get"],
    ]
    for words, shown in steps:
        result = subprocess.run(
            [str(COMMAND), *words[1:]], capture_output=True, text=True, timeout=60, check=False
        )
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == shown
