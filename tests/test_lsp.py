"""`delaynote lsp` end to end: a real LSP client (pytest-lsp) drives the server over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from assistant.checks.catalogue import render_rules

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
NOTICE = ("Hi Anna,\n\nThe go-live slipped because of a blocker in our build. The new date is 15 March 2027.\n"
          "We are sorry.\n")
AT = NOTICE.split("\n")[2].index("blocker")
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "assistant",
                                                                               "lsp"]))
async def client(lsp_client: LanguageClient):
    caps = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)))

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations = params.registrations  # type: ignore[attr-defined]

    # Every publishDiagnostics, queued per document: waiting for "the next notification" would miss
    # one that arrives in the same batch as another document's.
    queues: dict[str, asyncio.Queue] = {}
    lsp_client.published_queues = queues  # type: ignore[attr-defined]
    handle = lsp_client.protocol._handle_notification

    def record(method_name, params):  # type: ignore[no-untyped-def]
        if method_name == PUBLISH:
            queues.setdefault(params.uri, asyncio.Queue()).put_nowait(params)
        return handle(method_name, params)

    lsp_client.protocol._handle_notification = record

    await lsp_client.initialize_session(types.InitializeParams(capabilities=caps))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp-workspace")


def queue(client: LanguageClient, uri: str) -> asyncio.Queue:
    return client.published_queues.setdefault(uri, asyncio.Queue())  # type: ignore[attr-defined]


async def published(client: LanguageClient, uri: str) -> types.PublishDiagnosticsParams:
    """The next diagnostics published for `uri`."""
    return await asyncio.wait_for(queue(client, uri).get(), 30)


async def open_doc(client: LanguageClient, path: Path, text: str, language: str = "markdown"):
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    waiting = asyncio.ensure_future(published(client, uri))
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    return uri, await waiting


def jargon(params: types.PublishDiagnosticsParams) -> list[types.Diagnostic]:
    return [d for d in params.diagnostics if d.code == "jargon"]


async def test_open_publishes_the_check_findings_at_their_words(client: LanguageClient, folder: Path) -> None:
    uri, params = await open_doc(client, folder / "notice.md", NOTICE)
    (d,) = jargon(params)
    assert d.source == "delaynote" and d.severity == types.DiagnosticSeverity.Warning
    assert d.range == types.Range(types.Position(2, AT), types.Position(2, AT + 7))  # "blocker"
    assert "a problem that stops the work" in d.message
    assert {"missing-mitigation", "jargon"} <= {x.code for x in params.diagnostics}


async def test_positions_are_in_utf16_units(client: LanguageClient, folder: Path) -> None:
    text = "🙂 The go-live slipped because of a blocker.\n"
    _, params = await open_doc(client, folder / "emoji.txt", text, "plaintext")
    (d,) = jargon(params)
    # the emoji is one character for the checker and two UTF-16 units for the editor
    assert d.range.start == types.Position(0, text.index("blocker") + 1)


async def test_hover_shows_the_rule_page(client: LanguageClient, folder: Path) -> None:
    uri, _ = await open_doc(client, folder / "hover.md", NOTICE)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(2, AT + 3)))
    assert hover is not None and render_rules("jargon", width=88) in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 1)))
    assert nothing is None


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply edits (code-point columns: the test texts are in the Basic Multilingual Plane)."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        s, e = edit.range.start, edit.range.end
        text = text[:starts[s.line] + s.character] + edit.new_text + text[starts[e.line] + e.character:]
    return text


async def actions_at(client: LanguageClient, uri: str, d: types.Diagnostic) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d])))


async def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def test_code_actions_replace_the_jargon_and_insert_a_comment(client: LanguageClient, folder: Path) -> None:
    uri, params = await open_doc(client, folder / "fix.md", NOTICE)
    (d,) = jargon(params)
    replace, disable = await actions_at(client, uri, d)
    assert replace.title == 'Explain "blocker": add "(a problem that stops the work)"' and replace.is_preferred
    fixed = apply(NOTICE, replace.edit.changes[uri])
    assert "because of a blocker (a problem that stops the work) in our build" in fixed
    silenced = apply(NOTICE, disable.edit.changes[uri])
    assert silenced.split("\n")[2] == "<!-- delaynote-disable-next-line jargon -->"
    for version, text in ((2, fixed), (3, silenced)):  # the server agrees: both clear the finding
        waiting = asyncio.ensure_future(published(client, uri))
        await change(client, uri, version, text)
        assert jargon(await waiting) == []


async def test_plain_text_gets_a_hash_comment(client: LanguageClient, folder: Path) -> None:
    uri, params = await open_doc(client, folder / "fix.txt", NOTICE, "plaintext")
    (d,) = jargon(params)
    disable = (await actions_at(client, uri, d))[-1]
    assert disable.edit.changes[uri][0].new_text == "# delaynote-disable-next-line jargon\n"


async def test_changes_are_debounced_into_one_check_of_the_last_text(client: LanguageClient, folder: Path) -> None:
    uri, _ = await open_doc(client, folder / "typing.md", "Hello.\n")
    waiting = asyncio.ensure_future(published(client, uri))
    for version, text in enumerate(("Hello. The", "Hello. The API", NOTICE), start=2):
        await change(client, uri, version, text)
    first = await waiting
    await asyncio.sleep(1.0)  # three debounce periods: a second check would have been published by now
    assert queue(client, uri).empty()
    assert first.version == 4 and len(jargon(first)) == 1


async def test_save_rechecks(client: LanguageClient, folder: Path) -> None:
    uri, _ = await open_doc(client, folder / "saved.html", "<p>Hello.</p>\n", "html")
    waiting = asyncio.ensure_future(published(client, uri))
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert (await waiting).uri == uri


async def test_other_file_types_are_left_alone(client: LanguageClient, folder: Path) -> None:
    path = folder / "code.py"
    path.write_text("api = 1  # blocker\n", encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=path.as_uri(), language_id="python", version=1, text=path.read_text())))
    await open_doc(client, folder / "after.md", NOTICE)  # notifications arrive in order
    assert path.as_uri() not in client.diagnostics


async def test_workspace_config_is_honoured_and_reread(client: LanguageClient, tmp_path: Path) -> None:
    for _ in range(200):  # the server registers the watcher right after `initialized`
        if hasattr(client, "registrations"):
            break
        await asyncio.sleep(0.05)
    assert [r.method for r in client.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    (tmp_path / "delaynote.toml").write_text('disable = ["jargon"]\n', encoding="utf-8")
    uri, params = await open_doc(client, tmp_path / "n.md", NOTICE)
    assert jargon(params) == []
    config = tmp_path / "delaynote.toml"
    for content, expect in (('[severity]\njargon = "error"\n', "error"), ('[severity]\njargn = "error"\n', "config")):
        config.write_text(content, encoding="utf-8")
        waiting = asyncio.ensure_future(published(client, uri))
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))
        params = await waiting
        if expect == "error":
            assert [d.severity for d in jargon(params)] == [types.DiagnosticSeverity.Error]
        else:
            first = params.diagnostics[0]
            assert first.code == "config" and "jargn" in first.message and "did you mean jargon" in first.message


async def test_pyproject_table_is_honoured(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.delaynote]\ndisable = ["jargon"]\n', encoding="utf-8")
    _, params = await open_doc(client, tmp_path / "p.md", NOTICE)
    assert jargon(params) == [] and params.diagnostics


async def test_email_positionless_finding_gets_a_file_comment_after_the_headers(client: LanguageClient,
                                                                                folder: Path) -> None:
    text = "Subject: Delay\nTo: anna@example.com\n\nHi Anna,\n\nThe launch moves.\n"
    uri, params = await open_doc(client, folder / "n.eml", text, "email")
    d = next(x for x in params.diagnostics if x.code == "missing-mitigation")
    (disable,) = [a for a in await actions_at(client, uri, d) if "missing-mitigation" in a.title]
    (edit,) = disable.edit.changes[uri]
    assert edit.range.start == types.Position(3, 0)
    assert edit.new_text == "# delaynote-disable-file missing-mitigation\n"


async def test_a_save_while_a_change_waits_checks_once(client: LanguageClient, folder: Path) -> None:
    uri, _ = await open_doc(client, folder / "save-now.md", "Hello.\n")
    await change(client, uri, 2, NOTICE)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert len(jargon(await published(client, uri))) == 1
    await asyncio.sleep(1.0)  # the debounced check of the change would have come by now
    assert queue(client, uri).empty()
