"""`microcred crawl` runs one crawl in a child process and prints its stats."""

from __future__ import annotations

import pytest

from microcred.cli import main
from tests.crawlers.site_server import Route, SiteServer

PAGE = (
    '<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "Course", "courseCode": "C1", "name": "Crawled from the CLI", '
    '"offers": {"@type": "Offer", "price": 90, "priceCurrency": "EUR"}}</script></head>'
    "<body></body></html>"
)


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROCRED_ALLOW_PRIVATE_FEEDS", "true")
    from microcred.settings import get_settings

    get_settings.cache_clear()
    yield ["--data-dir", str(tmp_path / "data")]
    get_settings.cache_clear()


def test_crawl_prints_its_stats_and_the_ingest_report(cli_env, capsys):
    assert (
        main(
            [
                *cli_env,
                "providers",
                "add",
                "cli-prov",
                "--name",
                "CLI provider",
                "--country",
                "IE",
                "--currency",
                "EUR",
            ]
        )
        == 0
    )
    with SiteServer({"/": Route(PAGE), "/robots.txt": Route("", status=404)}) as site:
        assert (
            main(
                [*cli_env, "crawl", "--provider", "cli-prov", "--max-seconds", "60", site.url("/")]
            )
            == 0
        )
    out = capsys.readouterr().out
    assert "crawl 1 of cli-prov: finished (finished)" in out
    assert "course records 1, dropped 0, errors 0" in out
    assert "submitted as a snapshot" in out and "created 1" in out
    assert main([*cli_env, "crawls", "--provider", "cli-prov"]) == 0
    assert "crawl 1 of cli-prov" in capsys.readouterr().out


def test_crawl_without_start_urls_or_sources_says_what_to_give(cli_env, capsys):
    main([*cli_env, "providers", "add", "cli-prov", "--name", "CLI provider"])
    assert main([*cli_env, "crawl", "--provider", "cli-prov"]) == 2
    assert "give START_URL(s)" in capsys.readouterr().err
