"""Regenerate the encoded exports from their UTF-8 twins: python tests/import_exports/make_encoded.py"""

from pathlib import Path

HERE = Path(__file__).parent
(HERE / "worktile-gbk.csv").write_bytes((HERE / "worktile-utf8.csv").read_text(encoding="utf-8")
                                         .replace("\n", "\r\n").encode("gbk"))
(HERE / "pingcode-bom.csv").write_bytes(b"\xef\xbb\xbf" + (HERE / "pingcode-utf8.csv").read_bytes())
