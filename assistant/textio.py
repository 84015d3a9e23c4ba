"""Reading user files safely: text only, a clear sentence for binary, oversized or mis-encoded input.

Chinese teams still save files in GBK/GB18030; the checker accepts them (`legacy_zh=True`),
while facts files must be UTF-8 as SPEC §2 says. A file that starts with a byte order mark is
read in the encoding the mark names (UTF-8, UTF-16 or UTF-32: Windows editors save "Unicode"
as UTF-16), and `Decoded` remembers encoding, mark and line ends so a rewrite can keep them.
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

MAX_BYTES = 50 * 1024 * 1024


_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    """A file's text (line ends made '\n') and how to write it back the way it was stored."""

    text: str
    encoding: str  # a codec name: utf-8, gb18030, utf-16-le, ...
    bom: bytes = b""
    crlf: bool = False

    def encode(self, text: str) -> bytes:
        """`text` (with '\n' line ends) in this file's encoding, BOM and line ends."""
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return self.bom + text.encode(self.encoding)


def decode_file(data: bytes, source: str, *, legacy_zh: bool = False) -> Decoded:
    """Bytes to text: a BOM names UTF-8, UTF-16 or UTF-32; else UTF-8, else GB18030 when allowed.
    NUL bytes without a BOM mean binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                raw = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
                raise InputError(f"{source} starts like {name} text but is not (byte {exc.start + len(bom)} is "
                                 "invalid); save it as UTF-8") from None
            return _decoded(raw, encoding, bom)
    if b"\x00" in data[:8192]:
        raise InputError(f"{source} looks like a binary file, not text")
    try:
        return _decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        if legacy_zh:
            try:
                return _decoded(data.decode("gb18030"), "gb18030")
            except UnicodeDecodeError:
                raise InputError(
                    f"{source} is neither UTF-8 nor GBK/GB18030 text (byte {exc.start}); save it as UTF-8"
                ) from None
        raise InputError(f"{source} is not UTF-8 text (byte {exc.start} is invalid); save it as UTF-8") from None


def _decoded(raw: str, encoding: str, bom: bytes = b"") -> Decoded:
    return Decoded(raw.replace("\r\n", "\n").replace("\r", "\n"), encoding, bom, "\r\n" in raw)


def decode_bytes(data: bytes, source: str, *, legacy_zh: bool = False) -> str:
    """Bytes to text (see `decode_file`), line ends made '\n'."""
    return decode_file(data, source, legacy_zh=legacy_zh).text


def read_limited(path: Path) -> bytes:
    """A file's bytes, reading at most MAX_BYTES + 1: the size on disk says nothing for a device or
    a pipe (/dev/zero is endless), so only what was actually read can prove a file too large.
    Raises OSError as `open` does, and `InputError` for a file over the limit."""
    limit = MAX_BYTES // (1024 * 1024)
    size = path.stat().st_size
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a file")
    if size > MAX_BYTES:
        raise InputError(f"{path} is {size // (1024 * 1024)} MB; delaynote reads files up to {limit} MB")
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{path} is larger than {limit} MB; delaynote reads files up to {limit} MB")
    return data


def missing_reason(path: str | Path) -> str:
    """Why `path` cannot be opened, in one sentence: it does not exist, it is a symbolic link loop
    or a link to nothing, or a file stands where a folder on its way should be."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{path} is a symbolic link loop"
        if exc.errno == errno.ENOTDIR:
            blocker = next((p for p in Path(path).parents if p.is_file()), None)
            return f"{path} does not exist: {blocker or 'a folder on its path'} is a file, not a folder"
        if os.path.islink(path):
            return f"{path} is a symbolic link to {os.readlink(path)}, which does not exist"
        return f"{path} does not exist"
    return f"{path} cannot be opened"


def read_bytes(path: Path) -> bytes:
    """A file's bytes (size-limited), or `InputError` with one sentence saying why not."""
    try:
        return read_limited(path)
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied)") from None
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
            raise InputError(missing_reason(path)) from None
        raise InputError(f"{path} cannot be read: {exc.strerror}") from None


def read_text(path: Path, *, legacy_zh: bool = False) -> str:
    """Read a text file, or raise `InputError` with one sentence saying why not."""
    return decode_bytes(read_bytes(path), str(path), legacy_zh=legacy_zh)


def read_input(path: str, *, legacy_zh: bool = False) -> str:
    """A file's text, or stdin's for '-' (read as bytes, with the same size limit and decoding)."""
    if path != "-":
        return read_text(Path(path), legacy_zh=legacy_zh)
    return decode_bytes(read_stdin_bytes(), "stdin", legacy_zh=legacy_zh)


def read_stdin_bytes(instead: str = "a file") -> bytes:
    """Standard input's bytes (size-limited), or `InputError` saying in one sentence why not;
    `instead` names what to pass when stdin is closed."""
    if sys.stdin is None:  # started with stdin closed (`<&-`): Python sets it to None
        raise InputError(f"standard input is closed, so '-' has nothing to read; pass {instead} instead")
    buffer = getattr(sys.stdin, "buffer", None)
    try:
        data = buffer.read(MAX_BYTES + 1) if buffer is not None else sys.stdin.read(MAX_BYTES + 1).encode("utf-8")
    except OSError as exc:
        raise InputError(f"standard input cannot be read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"stdin is larger than {MAX_BYTES // (1024 * 1024)} MB; delaynote reads inputs up to that")
    return data


def refuse_two_stdins(facts: object, drafts: list[str]) -> None:
    """stdin is read once: it can carry the facts (`--facts -`) or the draft (`-`), not both."""
    if str(facts) == "-" and "-" in drafts:
        raise InputError("stdin can carry the draft or the facts, not both; save one of them to a file")


def check_can_write(path: Path, *, force: bool = False, flag: str = "--out") -> None:
    """Refuse, before any work is done, an output path that cannot be written: an existing file
    without --force, a folder, a file where a folder should be, a folder that refuses new files.
    `flag` names the option in messages ('--out')."""
    name = f"{flag} {path}" if flag else str(path)
    if path.is_dir():
        raise InputError(f"{name} is a folder, not a file")
    if path.exists():
        if not force:
            raise InputError(f"{path} already exists; use --force to overwrite it")
        if not os.access(path, os.W_OK):
            raise InputError(f"{name} cannot be written (permission denied)")
        return
    if path.is_symlink():
        raise InputError(f"{name}: {missing_reason(path)}")
    folder = next((p for p in path.parents if p.exists() or p.is_symlink()), Path("."))
    if not folder.is_dir():
        what = "its folder" if folder == path.parent else "a folder on its path"
        raise InputError(f"{name}: {what} {folder} is a file" if folder.exists() else f"{name}: {missing_reason(folder)}")
    if folder != path.parent:  # a typo in a folder name must not silently make a new tree
        raise InputError(f"{name}: the folder {path.parent} does not exist; create it first")
    try:  # the only sure test (read-only file systems, /proc, ACLs): create the file, then remove it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.close(fd)
        os.unlink(path)
    except OSError as exc:
        raise InputError(f"{name} cannot be written: {exc.strerror}") from None


def write_new_file(path: Path, content: str | bytes, *, force: bool = False, flag: str = "--out") -> None:
    """Write `content` to `path`, refusing to overwrite an existing file unless `force`."""
    check_can_write(path, force=force, flag=flag)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path} cannot be written: {exc.strerror}") from None


def save_rescue(content: str | bytes, suffix: str = ".txt") -> Path | None:
    """Keep output that could not be written where asked (a paid LLM answer must not be lost):
    a new file in the cache folder, else the working folder. None if neither takes it."""
    import tempfile

    from assistant.usercache import cache_dir

    data = content.encode("utf-8") if isinstance(content, str) else content
    for folder in (cache_dir(), Path.cwd()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="delaynote-draft-", suffix=suffix, dir=folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            return Path(name)
        except OSError:
            continue
    return None


def write_stdout(content: str | bytes) -> None:
    """Print `content` and flush it, or raise `InputError` in one sentence when standard output
    cannot take it (`>/dev/full`, a full disk, a closed pipe), so the caller can keep what a model
    was paid for (see `save_rescue`) instead of a traceback losing it."""
    try:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        sys.stdout.flush()
    except OSError as exc:
        raise InputError(stdout_failure(exc)) from None


def stdout_failure(exc: OSError) -> str:
    """The sentence for output that standard output refused."""
    return f"standard output cannot be written ({exc.strerror or exc})"


def silence_stdout() -> None:
    """Point file descriptor 1 at the null device, so the text still buffered for a stdout that
    failed is not written again (and reported again) when Python exits."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass
