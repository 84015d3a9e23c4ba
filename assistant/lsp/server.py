"""`delaynote lsp`: the rule checks as a language server over stdio (pygls).

Diagnostics on open, save and (debounced) change for Markdown, plain text, HTML and e-mail
documents; hover shows the rule page; code actions replace jargon with its plain alternative
and insert a suppression comment. The nearest delaynote.toml / pyproject.toml is honoured and
re-read when it changes. Only the rule checker runs here: the LLM stack is never imported.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from assistant.lsp import features
from assistant.lsp.workspace_config import CONFIG_NAMES, ConfigCache

DEBOUNCE_SECONDS = 0.3
SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}


class DelaynoteServer(LanguageServer):
    """Keeps, per open document, the last check's problems for hover and code actions."""

    def __init__(self, version: str) -> None:
        super().__init__("delaynote", version, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.configs = ConfigCache()
        self.checked: dict[str, tuple[str, str, list[features.Problem]]] = {}  # uri -> (kind, lang, problems)
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def lines(self, uri: str) -> list[str]:
        return features.lines_of(self.workspace.get_text_document(uri).source)

    def to_client(self, uri: str, lines: list[str], start: features.Pos, end: features.Pos) -> types.Range:
        codec = self.workspace.get_text_document(uri).position_codec
        return codec.range_to_client_units(lines, ServerTextRange(ServerTextPosition(*start), ServerTextPosition(*end)))

    def from_client(self, uri: str, lines: list[str], pos: types.Position) -> features.Pos:
        codec = self.workspace.get_text_document(uri).position_codec
        server = codec.position_from_client_units(lines, pos)
        return server.line, server.character

    def check(self, uri: str) -> None:
        """Check one open document and publish its diagnostics (none for a file type we do not read);
        a debounced check still waiting for this document is no longer needed."""
        if (handle := self.pending.pop(uri, None)) is not None:
            handle.cancel()
        doc = self.workspace.get_text_document(uri)
        path = doc.path or to_fs_path(uri)
        kind = features.kind_for(path or uri, doc.language_id)
        if kind is None:
            return
        settings, problem = self.configs.settings_for(path)
        text = doc.source
        lang, found = features.problems(text, path or "-", kind, settings)
        self.checked[uri] = (kind, lang, found)
        lines = features.lines_of(text)
        diagnostics = [self._diagnostic(uri, lines, p) for p in found]
        if problem:
            diagnostics.insert(0, types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)), message=problem,
                severity=types.DiagnosticSeverity.Error, source="delaynote", code="config"))
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=doc.version))

    def _diagnostic(self, uri: str, lines: list[str], p: features.Problem) -> types.Diagnostic:
        f = p.finding
        return types.Diagnostic(range=self.to_client(uri, lines, p.start, p.end), message=features.message(f),
                                severity=SEVERITY[f.severity], code=f.check, source="delaynote",
                                data={"check": f.check})

    def check_later(self, uri: str) -> None:
        """Check after the typing stops: each change restarts the wait."""
        if handle := self.pending.pop(uri, None):
            handle.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self._checked_later, uri)

    def _checked_later(self, uri: str) -> None:
        if uri in self.workspace.text_documents:
            self.check(uri)

    def recheck_all(self) -> None:
        self.configs.clear()
        for uri in list(self.checked):
            if uri in self.workspace.text_documents:
                try:
                    self.check(uri)
                except Exception as exc:  # one document's failure must not leave the others unchecked
                    self.window_log_message(types.LogMessageParams(types.MessageType.Error,
                                                                   f"delaynote: {uri}: {exc!r}"))


def _is_config(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] in CONFIG_NAMES


def build_server(version: str) -> DelaynoteServer:
    """The server with its features registered (separate from `run`, so tests can build one)."""
    server = DelaynoteServer(version)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: DelaynoteServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES])
            registration = types.Registration(id="delaynote-config", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                              register_options=options)
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except Exception as exc:  # a client that refuses still gets the config re-read by its timestamp
                ls.window_log_message(types.LogMessageParams(types.MessageType.Log, f"no file watching: {exc}"))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DelaynoteServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: DelaynoteServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DelaynoteServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if _is_config(uri):
            ls.recheck_all()
        elif uri in ls.workspace.text_documents:
            ls.check(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DelaynoteServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if handle := ls.pending.pop(uri, None):
            handle.cancel()
        if ls.checked.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: DelaynoteServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(_is_config(change.uri) for change in params.changes):
            ls.recheck_all()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: DelaynoteServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        if uri not in ls.checked:
            return None
        lines = ls.lines(uri)
        at = ls.from_client(uri, lines, params.position)
        for p in ls.checked[uri][2]:
            if p.positioned and features.touches(p, at, at):
                return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                                value=features.hover_text(p)),
                                   range=ls.to_client(uri, lines, p.start, p.end))
        return None

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: DelaynoteServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        if uri not in ls.checked:
            return None
        kind, lang, found = ls.checked[uri]
        text = ls.workspace.get_text_document(uri).source
        lines = features.lines_of(text)
        start = ls.from_client(uri, lines, params.range.start)
        end = ls.from_client(uri, lines, params.range.end)
        out = []
        for action in features.actions(text, found, start, end, kind, lang):
            edits = [types.TextEdit(range=ls.to_client(uri, lines, a, b), new_text=new) for a, b, new in action.edits]
            out.append(types.CodeAction(title=action.title, kind=types.CodeActionKind.QuickFix,
                                        edit=types.WorkspaceEdit(changes={uri: edits}),
                                        is_preferred=action.preferred or None))
        return out

    return server


def run(version: str, **_: Any) -> None:
    """Serve on stdin/stdout until the client says exit."""
    build_server(version).start_io()
