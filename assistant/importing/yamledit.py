"""Round-trip editing of a YAML facts file with ruamel.yaml: what `merge` needs and nothing more.

ruamel keeps comments, key order and quoting, but it hangs a comment that stands before the next
key on the last item of the list above it, so an item appended there would land below that comment;
`append_item` moves such a trailing comment down to the new last item. Re-import ids are end-of-line
comments (`- Payment page  # id: ABC-12`): invisible to the notice, kept by any editor.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

_ID = re.compile(r"#\s*id:\s*(\S+)")
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def guess_indent(text: str) -> tuple[int, int]:
    """(mapping indent, dash offset) as the file writes them, read from its first nested key and first
    list item (ruamel's own guess parses the whole file once more, which doubles the time on a long one)."""
    lines = text.splitlines()
    mapping = offset = None
    for prev, line in zip(lines, lines[1:], strict=False):
        parent = _BARE_KEY.match(prev)
        if parent is None:
            continue
        depth = len(parent.group(1))
        if offset is None and (item := re.match(r"( *)- ", line)) and len(item.group(1)) >= depth:
            offset = len(item.group(1)) - depth
        if mapping is None and (child := re.match(r"( *)[^\s#-]", line)) and len(child.group(1)) > depth:
            mapping = len(child.group(1)) - depth
        if mapping is not None and offset is not None:
            break
    return mapping or 2, offset or 0


_BARE_KEY = re.compile(r"( *)[^\s#-][^:#]*:\s*(?:#.*)?$")


def make_yaml(text: str) -> YAML:
    """A round-trip YAML set to write lists indented the way `text` indents them, long lines unwrapped."""
    mapping, offset = guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    yaml.explicit_start = bool(re.match(r"(?:\s*#[^\n]*\n)*\s*---", text))
    return yaml


def dump(yaml: YAML, doc: Any) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def is_flow(node: Any) -> bool:
    return bool(getattr(node, "fa", None) and node.fa.flow_style())


def _slot(parent: Any) -> int:
    return 0 if isinstance(parent, CommentedSeq) else 2


def _holder(parent: Any, key: Any) -> tuple[Any, Any]:
    """Where the comment after `parent[key]` is kept: the deepest last item of a block collection."""
    value = parent[key]
    if isinstance(value, CommentedMap) and len(value) and not is_flow(value):
        return _holder(value, list(value.keys())[-1])
    if isinstance(value, CommentedSeq) and len(value) and not is_flow(value):
        return _holder(value, len(value) - 1)
    return parent, key


def detach_tail(parent: Any, key: Any) -> str:
    """Remove and return the full-line comments (and blank lines) after `parent[key]`; its
    end-of-line comment stays."""
    holder, hkey = _holder(parent, key)
    slot = holder.ca.items.get(hkey)
    token = slot[_slot(holder)] if slot and len(slot) > _slot(holder) else None
    if token is None or "\n" not in token.value:
        return ""
    head, _, tail = token.value.partition("\n")
    if not tail:
        return ""
    if head.strip():
        token.value = head + "\n"
    else:
        slot[_slot(holder)] = None
    return tail


def attach_tail(parent: Any, key: Any, tail: str) -> None:
    """Put `tail` (from `detach_tail`) after `parent[key]`."""
    if not tail:
        return
    holder, hkey = _holder(parent, key)
    slot = holder.ca.items.setdefault(hkey, [None, None, None, None])
    index = _slot(holder)
    if slot[index] is None:
        slot[index] = CommentToken("\n" + tail, CommentMark(0), None)
    else:
        slot[index].value = slot[index].value.rstrip("\n") + "\n" + tail


def _eol(parent: Any, key: Any) -> str:
    slot = parent.ca.items.get(key)
    token = slot[_slot(parent)] if slot and len(slot) > _slot(parent) else None
    return token.value.partition("\n")[0] if token is not None else ""


def get_id(parent: Any, key: Any) -> str | None:
    """The `# id: …` end-of-line comment of a list item (key = index) or mapping key."""
    m = _ID.search(_eol(parent, key))
    return m.group(1) if m else None


def set_id(parent: Any, key: Any, ident: str) -> None:
    """Write `# id: IDENT` at the end of the item's line, unless the line has a comment of the user's."""
    if is_flow(parent):
        return
    eol = _eol(parent, key)
    if eol.strip() and not _ID.search(eol):
        return
    slot = parent.ca.items.get(key)
    token = slot[_slot(parent)] if slot and len(slot) > _slot(parent) else None
    if token is None:
        parent.ca.items.setdefault(key, [None, None, None, None])[_slot(parent)] = id_comment(ident)
        return
    _, _, tail = token.value.partition("\n")
    token.value = id_comment(ident).value + ("\n" + tail if tail else "\n")


def id_comment(ident: str) -> CommentToken:
    """The end-of-line `  # id: IDENT` token (two spaces before the mark, as PEP 8 and most YAML)."""
    return CommentToken(f" # id: {ident}", CommentMark(0), None)


def append_item(seq: CommentedSeq, value: Any, ident: str | None) -> None:
    """Append to a list, keeping a comment that stood after its last item after the new last item."""
    tail = detach_tail(seq, len(seq) - 1) if len(seq) and not is_flow(seq) else ""
    seq.append(value)
    if ident:
        set_id(seq, len(seq) - 1, ident)
    attach_tail(seq, len(seq) - 1, tail)


def delete_item(seq: CommentedSeq, index: int) -> None:
    """Delete a list item; the comment after the last item stays after the new last one."""
    last = index == len(seq) - 1 and index > 0 and not is_flow(seq)
    tail = detach_tail(seq, index) if last else ""
    del seq[index]
    if last:
        attach_tail(seq, len(seq) - 1, tail)


def splice(original: str, edited: str, keys: set[str]) -> str:
    """`original` with the top-level blocks of `keys` taken from `edited`: every byte outside
    those blocks stays as it was (ruamel would re-fold a long scalar or respace a flow list
    elsewhere in the file). A block runs from its `key:` line to the comments before the next key."""
    old, new = _blocks(original), _blocks(edited)
    if not old or set(old) - set(new) - keys:  # not a plain top-level mapping: trust ruamel's output
        return edited
    lines = original.splitlines(keepends=True)
    out, pos, inserted = [], 0, set()
    new_lines = edited.splitlines(keepends=True)
    order = list(new)
    for key, (start, end) in sorted(old.items(), key=lambda kv: kv[1][0]):
        out.extend(lines[pos:start])
        if key in keys and key in new:
            out.extend(new_lines[new[key][0]:new[key][1]])
        elif key not in keys:
            out.extend(lines[start:end])
        pos = end
        # keys new to the file go where ruamel put them: right after the key before them
        i = order.index(key) if key in order else -1
        while 0 <= i < len(order) - 1 and order[i + 1] not in old and order[i + 1] in keys:
            i += 1
            out.extend(_ensure_newline(new_lines[new[order[i]][0]:new[order[i]][1]], out))
            inserted.add(order[i])
    out.extend(lines[pos:])
    for key in order:  # a new key before every old one
        if key in keys and key not in old and key not in inserted:
            return edited
    return "".join(out)


def _ensure_newline(block: list[str], out: list[str]) -> list[str]:
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    return block


def _blocks(text: str) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, end line) with the comment/blank run before the next key excluded."""
    lines = text.splitlines(keepends=True)
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := TOP_KEY.match(line))]
    blocks: dict[str, tuple[int, int]] = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end - 1 > i and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
                               or lines[end - 1].strip() in ("---", "...")):
            end -= 1
        if key in blocks:
            return {}
        blocks[key] = (i, end)
    return blocks
