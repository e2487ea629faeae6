"""Data and code put inside an HTML ``<script>`` element, so that no curated text can end the
element, open a comment in it, or otherwise change the page: every ``<`` in JSON is written
``\\u003c`` (the same string to JavaScript), and the two line separators JavaScript once read
as ends of line are escaped too.

>>> script_json({"note": "<!--<script>alert(1)</script>"})
'{"note":"\\\\u003c!--\\\\u003cscript>alert(1)\\\\u003c/script>"}'
"""

from __future__ import annotations

import json


def script_json(value) -> str:
    """``value`` as compact JSON, keys sorted (the same data gives the same bytes)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029"))


def script_code(js: str) -> str:
    """A script's own code (a bundled library), with any ``</script`` and ``<!--`` broken."""
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
