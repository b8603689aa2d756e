"""The documentation: every ```python example in README.md and docs/*.md runs exactly as written.

Each example runs in a fresh interpreter, in an empty folder, with no server started for it: an
example that needs one starts a ``MockServer`` itself. An example that defines ``test_``
functions is run by pytest as a test file of its own, and its tests must pass. The two examples
docs/BackgroundTasksApi.md keeps verbatim from the interface document the project started from
talk to ``http://localhost``; they run against the mock server the page says to start first.
"""

from __future__ import annotations

import ast
import hashlib
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List, NamedTuple

import pytest

from openapi_client.configuration import DEFAULT_HOST, REGION_HOSTS, SERVICE_HOST
from openapi_client.testing import SAMPLE_TASK_ID

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]
API_PAGE = ROOT / "docs" / "BackgroundTasksApi.md"
#: The interface document, kept beside the clone (not in the sdist).
INTERFACE_DOCUMENT = ROOT.parent / "shared" / "api" / "BackgroundTasksApi.md"
#: SHA-256 of the interface document's two examples (get, then list), which the API page keeps
#: byte for byte; pinned here so that the check needs no copy of the document.
INTERFACE_EXAMPLE_DIGESTS = (
    "d38d9f5056a3cbc3d6dcbb67e7c26a60350eed1d53abbfd3953e74986ef341e6",
    "c66944e980902e4274eded9514a80388ed368ab5f557f3615d3a9b1324d73ede",
)
#: What the API page tells the reader to start before those two examples.
MOCK_ON_PORT_80 = "python -m openapi_client.testing --port 80"
README_MAX_LINES = 200
#: Seconds an example may take; the slowest waits or times out on purpose for about a second.
EXAMPLE_TIMEOUT = 120
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_DEFINES_TESTS = re.compile(r"^def test_", re.MULTILINE)
_DOC_LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


class Example(NamedTuple):
    """A ```python block: the document it is in, the line it starts on, its code."""

    source: Path
    line: int
    code: str

    @property
    def label(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}"

    @property
    def is_from_the_interface_document(self) -> bool:
        return _digest(self.code) in INTERFACE_EXAMPLE_DIGESTS


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _examples(document: Path) -> List[Example]:
    text = document.read_text(encoding="utf-8")
    return [
        Example(document, text.count("\n", 0, match.start()) + 2, match.group(1))
        for match in _BLOCK.finditer(text)
    ]


EXAMPLES = [example for document in DOCUMENTS for example in _examples(document)]
OURS = [example for example in EXAMPLES if not example.is_from_the_interface_document]
FROM_THE_INTERFACE = [example for example in EXAMPLES if example.is_from_the_interface_document]


def _python(args: List[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=EXAMPLE_TIMEOUT, check=False
    )


def _run(example: Example, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``example`` as a reader would paste it: a script, or a test file given to pytest."""
    if _DEFINES_TESTS.search(example.code):
        (folder / "test_example.py").write_text(example.code, encoding="utf-8")
        return _python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"], folder)
    return _python(["-c", example.code], folder)


@pytest.mark.parametrize("example", OURS, ids=[example.label for example in OURS])
def test_the_example_runs_as_written(example: Example, tmp_path: Path) -> None:
    result = _run(example, tmp_path)
    assert result.returncode == 0, f"{example.label}\n{result.stdout}\n{result.stderr}"


@pytest.fixture
def mock_on_port_80(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The mock server the API page says to start, as it says to start it."""
    assert f"`{MOCK_ON_PORT_80}`" in API_PAGE.read_text(encoding="utf-8")
    server = _start_on_port_80(tmp_path_factory.mktemp("mock"))
    try:
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def _start_on_port_80(folder: Path) -> subprocess.Popen[str]:
    # Another test run on this machine may hold the port for a moment: wait for it.
    given_up_at = time.monotonic() + 60
    while True:
        server = subprocess.Popen(
            [sys.executable, *MOCK_ON_PORT_80.split()[1:]],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        first_line = server.stdout.readline() if server.stdout else ""  # printed once it listens
        if first_line.startswith("MockServer at http://127.0.0.1:80 "):
            return server
        _, error = server.communicate(timeout=10)
        assert "Address already in use" in error and time.monotonic() < given_up_at, error
        time.sleep(0.5)


@pytest.mark.usefixtures("mock_on_port_80")
@pytest.mark.parametrize("example", FROM_THE_INTERFACE, ids=[example.label for example in FROM_THE_INTERFACE])
def test_the_interface_document_example_shows_the_answer(example: Example, tmp_path: Path) -> None:
    result = _run(example, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Exception when calling" not in result.stdout, result.stdout
    if "get_background_task_api_v1_background_task_task_id_get(" in example.code:
        assert "The response of BackgroundTasksApi->get_background_task" in result.stdout
        assert f"BackgroundTaskOut(id='{SAMPLE_TASK_ID}'" in result.stdout
    else:
        assert "The response of BackgroundTasksApi->list_background_tasks" in result.stdout
        assert "ListResponseBackgroundTaskOut(data=[BackgroundTaskOut(id='qtask_" in result.stdout


def test_the_api_page_keeps_both_interface_document_examples() -> None:
    kept = [_digest(example.code) for example in _examples(API_PAGE)]
    assert [digest for digest in kept if digest in INTERFACE_EXAMPLE_DIGESTS] == [*INTERFACE_EXAMPLE_DIGESTS]
    assert {example.source for example in FROM_THE_INTERFACE} == {API_PAGE}


@pytest.mark.skipif(
    not INTERFACE_DOCUMENT.is_file(),
    reason="the interface document lives beside the clone (../shared), not in the sdist; "
    "test_the_api_page_keeps_both_interface_document_examples checks the pinned digests",
)
def test_the_pinned_digests_are_those_of_the_interface_document() -> None:
    seed = [_digest(example.code) for example in _examples(INTERFACE_DOCUMENT)]
    assert seed == [*INTERFACE_EXAMPLE_DIGESTS]


def _catches_everything(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return caught is None or any(isinstance(name, ast.Name) and name.id in ("Exception", "BaseException")
                                 for name in names)


@pytest.mark.parametrize("example", OURS, ids=[example.label for example in OURS])
def test_the_example_catches_only_what_it_expects(example: Example) -> None:
    handlers = [node for node in ast.walk(ast.parse(example.code)) if isinstance(node, ast.ExceptHandler)]
    assert not [handler.lineno for handler in handlers if _catches_everything(handler)]


def test_every_document_has_examples_to_run() -> None:
    documents = {example.source for example in EXAMPLES}
    assert README in documents and API_PAGE in documents
    assert len(OURS) >= 30


def test_the_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= README_MAX_LINES


def test_the_readme_names_the_service_urls() -> None:
    text = README.read_text(encoding="utf-8")
    for url in (SERVICE_HOST, *REGION_HOSTS.values(), DEFAULT_HOST):
        assert url in text


def test_the_readme_links_every_doc_page() -> None:
    linked = {ROOT / link for link in _DOC_LINK.findall(README.read_text(encoding="utf-8"))}
    assert linked == set(DOCUMENTS) - {README}


@pytest.mark.parametrize("document", DOCUMENTS, ids=[path.name for path in DOCUMENTS])
def test_links_between_pages_lead_to_a_page(document: Path) -> None:
    for link in _DOC_LINK.findall(document.read_text(encoding="utf-8")):
        assert (document.parent / link).is_file(), link


def test_the_development_section_starts_with_the_command_ci_runs() -> None:
    # .ci/run runs the first line of the first ```sh block under "## Development".
    section = README.read_text(encoding="utf-8").split("\n## Development\n", 1)[1]
    command = section.split("```sh\n", 1)[1].splitlines()[0]
    assert command.startswith("python -m pip install") and command.endswith("&& python -m pytest")


# Written in parts so that this file is not itself a hit for a search for these phrases.
GENERATOR_PHRASES = (
    "generated by " + "openapi generator",
    "do not edit " + "the class manually",
    "openapi-generator" + ".tech",
)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[path.name for path in DOCUMENTS])
def test_docs_carry_no_generator_boilerplate(document: Path) -> None:
    text = document.read_text(encoding="utf-8").lower()
    for phrase in GENERATOR_PHRASES:
        assert phrase not in text
