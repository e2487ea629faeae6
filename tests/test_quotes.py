"""Every quote that cites a document in ../shared/sources/ is found in that document.

Independent of the loader: it reads the YAML with PyYAML and compares with white space and
typographic quotes folded, and nothing else.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import REPO, SHARED_SOURCES

FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(FOLD)).strip()


def shared_quotes() -> list[tuple[str, str, str]]:
    registry = yaml.safe_load((REPO / "data" / "sources.yaml").read_text(encoding="utf-8"))
    files = {s["id"]: s["file"] for s in registry["sources"] if s.get("file")}
    out = []
    for path in sorted((REPO / "data").rglob("*.yaml")):
        docs = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(docs, list):
            continue
        for record in docs:
            for cite in record.get("sources", []) or []:
                if cite.get("source") in files:
                    out.append((path.name, files[cite["source"]], cite["quote"]))
    return out


QUOTES = shared_quotes()


def test_there_are_quotes_from_every_shared_document() -> None:
    assert len({f for _, f, _ in QUOTES}) == 5
    assert len(QUOTES) > 150


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(),
                    reason=f"the shared source documents are not at {SHARED_SOURCES}")
@pytest.mark.parametrize("where,file,quote", QUOTES,
                         ids=[f"{w}:{q[:40]}" for w, _, q in QUOTES])
def test_quote_is_in_its_document(where: str, file: str, quote: str) -> None:
    text = fold((SHARED_SOURCES / file).read_text(encoding="utf-8"))
    assert fold(quote) in text
    assert len(quote) <= 300
