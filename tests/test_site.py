"""The static site (`graphkit site`, and exports/site/ from `graphkit build`): every link resolves
inside the folder, nothing is fetched from outside, the index's search and filters work in a
real Chromium opened from the file, and the same data gives the same bytes."""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run, stage_times


LINK = re.compile(r'<(a|link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = run("site", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert re.match(r"wrote .*/site/ \([\d,]+ files, [\d,]+ bytes\) in [\d.]+ s", result.stdout)
    return out


def test_a_page_per_actor_source_and_kind(site, shipped) -> None:
    ds = shipped.dataset
    assert {p.stem for p in (site / "actors").glob("*.html")} == set(ds.actors)
    assert {p.stem for p in (site / "sources").glob("*.html")} == set(ds.sources)
    assert {p.stem for p in (site / "kinds").glob("*.html")} == set(ds.model.relations)
    page = (site / "actors" / "dprk.html").read_text(encoding="utf-8")
    assert "Democratic People&#39;s Republic of Korea" in page and "Pyongyang" in page
    assert "Standing in the network" in page and "<svg" in page  # measures, ego map
    quote = "North Korea has successfully become the 23rd official member"
    assert quote in page and 'href="../sources/donga-191948-1.html"' in page


def test_every_link_resolves_inside_the_folder(site) -> None:
    pages = list(site.rglob("*.html"))
    files = {str(p) for p in site.rglob("*") if p.is_file()}
    checked = 0
    for path in pages:
        for tag, target in LINK.findall(path.read_text(encoding="utf-8")):
            target = html.unescape(target)
            if tag == "a" and target.startswith(("http://", "https://")):
                continue  # a link to the source document, followed only if the reader clicks
            assert not target.startswith(("/", "http:", "https:", "//")), (path, target)
            file = target.split("#", 1)[0]
            if file:
                assert os.path.normpath(os.path.join(path.parent, file)) in files, (path, target)
                checked += 1
    assert checked > 10_000


def test_index_search_and_filters_in_chromium(site, browser) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    outside, errors = [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (outside.append(r.request.url), r.abort()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((site / "index.html").as_uri())
        total = page.locator("#list li").count()
        assert page.inner_text("#shown") == f"{total} of {total} actors"
        page.fill("#q", "pyongyang")  # an alias of the DPRK, and in other actors' names
        found = [li.get_attribute("data-id") for li in page.locator("#list li:visible").all()]
        assert "dprk" in found and len(found) < 6
        page.fill("#q", "turkiye")  # accents are ignored: Türkiye
        assert page.locator("#list li:visible").first.get_attribute("data-id") == "turkiye"
        page.fill("#q", "")
        page.uncheck("#types input[value='state']")
        assert page.locator("#list li[data-type='state']:visible").count() == 0
        assert page.locator("#list li:visible").count() < total
        page.locator("#list li a", has_text="Council for Security Cooperation").first.click()
        assert page.url.endswith("/actors/cscap.html")
        page.locator("a", has_text="ASEAN Regional Forum").first.click()
        assert page.url.endswith("/actors/arf.html")
        assert errors == [] and outside == []
        shot = site.parent / "actor.png"
        page.goto((site / "actors" / "cscap.html").as_uri())
        page.screenshot(path=str(shot))
        if os.environ.get("GRAPHKIT_UPDATE_DOCS"):
            shutil.copyfile(shot, REPO / "docs" / "site-actor.png")
        assert (REPO / "docs" / "site-actor.png").read_bytes()[:4] == b"\x89PNG"
    finally:
        page.close()


def test_the_same_data_gives_the_same_site(tmp_path) -> None:
    from graphkit.dataset import load_dataset
    from graphkit.facts import graph_of
    from graphkit.site import write_site

    g = graph_of(load_dataset(REPO / "tests" / "cases" / "base")[0])
    a = write_site(g, tmp_path / "a")
    b = write_site(g, tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]


def test_pages_rendered_by_several_processes_are_the_same_bytes(tmp_path, monkeypatch) -> None:
    from graphkit import site as site_module
    from graphkit.dataset import load_dataset
    from graphkit.facts import graph_of

    g = graph_of(load_dataset(REPO / "tests" / "cases" / "base")[0])
    monkeypatch.setattr(site_module, "PAGES_PER_PROCESS", 10**9)  # one process
    one = site_module.write_site(g, tmp_path / "one")
    monkeypatch.setattr(site_module, "PAGES_PER_PROCESS", 1)  # a process per core
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    many = site_module.write_site(g, tmp_path / "many")
    assert [p.relative_to(tmp_path / "one") for p in one] == \
        [p.relative_to(tmp_path / "many") for p in many]
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in many]


@pytest.mark.parametrize("per_process", [10**9, 1], ids=["one process", "several"])
def test_a_failed_write_leaves_the_previous_site(per_process, tmp_path, monkeypatch) -> None:
    from graphkit import site as site_module
    from graphkit.dataset import load_dataset
    from graphkit.facts import graph_of

    monkeypatch.setattr(site_module, "PAGES_PER_PROCESS", per_process)
    g = graph_of(load_dataset(REPO / "tests" / "cases" / "base")[0])
    out = tmp_path / "site"
    site_module.write_site(g, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(site_module.Path, "write_bytes", broken)
    with pytest.raises(OSError):
        site_module.write_site(g, out, title="another title")  # every page changes
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


def test_a_page_that_did_not_change_keeps_its_file(tmp_path) -> None:
    """Written again, the site keeps each page whose bytes are the same (same file, same
    modification time: a sync to a host sends only what changed) and writes the others."""
    import os
    import shutil

    from graphkit.dataset import load_dataset
    from graphkit.facts import graph_of
    from graphkit.site import write_site

    data = tmp_path / "data"
    shutil.copytree(REPO / "tests" / "cases" / "base", data)
    out = tmp_path / "site"
    write_site(graph_of(load_dataset(data)[0]), out)
    before = {p.relative_to(out): os.stat(p) for p in out.rglob("*.html")}
    actors = data / "actors" / "base.yaml"
    actors.write_text(actors.read_text(encoding="utf-8").replace(
        "name: ASEAN Regional Forum", "name: The ASEAN Regional Forum"), encoding="utf-8")
    write_site(graph_of(load_dataset(data)[0]), out)
    after = {p.relative_to(out): os.stat(p) for p in out.rglob("*.html")}
    assert after.keys() == before.keys()
    kept = {p for p in after if after[p].st_ino == before[p].st_ino}
    changed = {p for p in after if "The ASEAN Regional Forum" in (out / p).read_text("utf-8")}
    assert changed and kept and changed.isdisjoint(kept)
    assert kept | changed == set(after)  # a page kept is unchanged, a page changed was written
    assert all(after[p].st_mtime_ns == before[p].st_mtime_ns for p in kept)


def test_site_timings_say_where_the_time_went(tmp_path) -> None:
    """`graphkit site --timings` prints each stage on stderr, and they add up to the whole."""
    result = run("site", "--data", str(REPO / "tests" / "cases" / "base"), "-o",
                 str(tmp_path / "site"), "--timings")
    assert result.returncode == 0, result.stderr
    names = [name for name, _ in stage_times(result.stderr)]
    assert names[0] == "read and check the records"
    assert {"measure the actors", "the pages of actors", "replace the folder"} <= set(names)
    assert (tmp_path / "site" / "index.html").is_file()
