"""Prompt files: found in the installed package, the source tree, or the user's own folder.

Prompts are data a team reviews and evaluates like code, so they live as files in the
repository's top-level `prompts/` folder, which the wheel ships as `assistant/prompts`. A
user folder (`[llm] prompts` / `--prompts`) overrides files by name. Values are substituted
literally, in one pass (`string.Template.safe_substitute`): user text is never run through a
template engine, and a `$marker` inside a value is left as it is.
"""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from assistant.errors import InputError

if TYPE_CHECKING:
    from assistant.config import Settings

_PACKAGE = Path(__file__).resolve().parent.parent  # the `assistant` package folder


def builtin_prompts_dir() -> Path | None:
    """`assistant/prompts` inside an installed wheel, else `prompts/` beside the package."""
    for candidate in (_PACKAGE / "prompts", _PACKAGE.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    return None


def prompt_dirs(settings: Settings | None = None) -> list[Path]:
    """Folders searched for a prompt file, first match wins: the user's, then the built-in one."""
    dirs: list[Path] = []
    user = settings.llm.prompts if settings is not None else None
    if user:
        folder = Path(user).expanduser()
        if not folder.is_dir():
            raise InputError(f"the prompts folder {folder} does not exist")
        dirs.append(folder)
    builtin = builtin_prompts_dir()
    if builtin is not None:
        dirs.append(builtin)
    return dirs


def load_prompt(name: str, settings: Settings | None = None) -> str:
    """The text of prompt file `name` (like 'draft.md' or 'zh/style.md')."""
    dirs = prompt_dirs(settings)
    for folder in dirs:
        path = folder / name
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"the prompt file {path} cannot be read: {exc}") from None
    where = ", ".join(str(d) for d in dirs) or "no prompts folder (is delaynote installed correctly?)"
    raise InputError(f"the prompt file {name} was not found in {where}")


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute `$name` markers with `values` literally, in one pass; unknown markers stay."""
    return Template(template).safe_substitute(values)


def render_prompt(name: str, values: dict[str, str], settings: Settings | None = None) -> str:
    """Load prompt `name` and fill in `values`."""
    return fill(load_prompt(name, settings), values)
