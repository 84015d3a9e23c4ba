"""The LLM core: one client, an on-disk response cache, redaction and prompt files.

Nothing here imports `openai` at module level: `check` and `--help` import parts of the
project without paying for (or depending on) the SDK. Import the submodules you need.
"""
