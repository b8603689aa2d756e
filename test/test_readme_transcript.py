"""README's first command and the output it shows: the transcript must be what the CLI prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _try_it_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## Try it", 1)[1].split("\n## ", 1)[0]


def test_the_try_it_command_prints_what_the_readme_shows() -> None:
    section = _try_it_section()
    command = re.search(r"```sh\n(.*?)\n```", section, re.S)
    shown = re.search(r"```text\n(.*?)\n```", section, re.S)
    assert command is not None and shown is not None
    install, *sdk_commands = [part.split() for part in command.group(1).split("&&")]
    assert install[:4] == ["python", "-m", "pip", "install"]  # done by the test environment
    # The SDK's main job: list the tasks, then get one.
    assert [words[3:5] for words in sdk_commands] == [["tasks", "list"], ["tasks", "get"]]
    printed = ""
    for words in sdk_commands:
        assert words[:3] == ["python", "-m", "openapi_client"]
        result = subprocess.run(
            [sys.executable, *words[1:]], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        printed += result.stdout
    assert printed.rstrip("\n") == shown.group(1)
