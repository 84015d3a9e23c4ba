"""Reading user files safely: text only, a clear sentence for binary, oversized or mis-encoded input.

Chinese teams still save files in GBK/GB18030; the checker accepts them (`legacy_zh=True`),
while facts files must be UTF-8 as SPEC §2 says.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.errors import InputError

MAX_BYTES = 50 * 1024 * 1024


def decode_bytes(data: bytes, source: str, *, legacy_zh: bool = False) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), else GB18030 when allowed; NUL bytes mean binary."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{source} looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if legacy_zh:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise InputError(
                    f"{source} is neither UTF-8 nor GBK/GB18030 text (byte {exc.start}); save it as UTF-8"
                ) from None
        else:
            raise InputError(f"{source} is not UTF-8 text (byte {exc.start} is invalid); save it as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


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


def read_text(path: Path, *, legacy_zh: bool = False) -> str:
    """Read a text file, or raise `InputError` with one sentence saying why not."""
    try:
        data = read_limited(path)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror}") from None
    return decode_bytes(data, str(path), legacy_zh=legacy_zh)


def read_input(path: str, *, legacy_zh: bool = False) -> str:
    """A file's text, or stdin's for '-' (read as bytes, with the same size limit and decoding)."""
    if path != "-":
        return read_text(Path(path), legacy_zh=legacy_zh)
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"stdin is larger than {MAX_BYTES // (1024 * 1024)} MB; delaynote reads inputs up to that")
    return decode_bytes(data, "stdin", legacy_zh=legacy_zh)


def write_new_file(path: Path, content: str | bytes, *, force: bool = False) -> None:
    """Write `content` to `path`, refusing to overwrite an existing file unless `force`."""
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path} cannot be written: {exc.strerror}") from None
