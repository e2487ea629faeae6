"""Content-derived identifiers for relations and citations.

A relation's IRI comes from its kind, its participants by role, its role concept (when not the
default), its start and its optional ``key``: never from its sources or notes, so fixing a quote
does not move a relation.

>>> relation_key("membership", [["viet-nam"], ["unsc"]], ["non-permanent-member"], "2020", "")
'membership.viet-nam.unsc.non-permanent-member.2020'
>>> relation_key("tie", [["rok", "dprk"]], [], "", "")
'tie.dprk_rok'
"""

from __future__ import annotations

import hashlib

MAX_KEY = 100


def relation_key(kind: str, participants: list[list[str]], qualifiers: list[str], start: str,
                 key: str) -> str:
    """The local part of a relation IRI (readable; hashed past ``MAX_KEY`` characters)."""
    parts = [kind] + ["_".join(sorted(ids)) for ids in participants if ids]
    parts += [q for q in qualifiers if q] + [p for p in (start, key) if p]
    text = ".".join(parts)
    if len(text) <= MAX_KEY:
        return text
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    head = ".".join(parts[:2])[:60]
    return f"{head}.{digest}"


def citation_key(relation_key: str, ordinal: int) -> str:
    """The local part of a citation IRI: the relation's key and the citation's position (1-based)."""
    return f"{relation_key}.{ordinal}"
