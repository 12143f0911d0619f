"""Helpers for the screening page tests: addresses, answers and the text a person reads."""

import html
import re

PHQ9_MODERATE_WITH_ITEM_9 = {f"q{n}": "1" for n in range(1, 10)} | {"q1": "3", "q2": "2"}  # 12
PHQ9_MILD = {f"q{n}": "1" for n in range(1, 10)} | {"q9": "0"}  # 8, item 9 not raised


def answer_url(administration):
    return f"/episodes/{administration.episode_id}/screening/{administration.pk}/"


def result_url(administration):
    return f"{answer_url(administration)}result/"


def main_text(response):
    """The page's <main> as text, without markup, for asserting on what a person reads."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def compact(response):
    """The page's HTML with the template's whitespace squeezed out, so that assertions read
    like the markup: ``<legend ...>1. Text</legend>``."""
    page = re.sub(r"\s+", " ", response.content.decode())
    return re.sub(r"\s*(<|>)\s*", r"\1", page)
