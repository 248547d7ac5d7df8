"""The default legal bases: the articles used most against anti-war Russians, each with a
label and the maximum penalty of the Criminal Code's text."""

from __future__ import annotations

import re

import pytest

from exilecases.format.vocabulary import default_vocabulary

MOST_USED = [
    "205.2", "207.3", "275", "275.1", "276", "280.3", "280.4", "282.2",
    "282.3", "284.1", "328", "337", "338", "339", "354.1",
]  # fmt: skip


@pytest.mark.parametrize("article", MOST_USED)
def test_each_most_used_article_is_a_default_with_label_and_penalty(article) -> None:
    entry = default_vocabulary().entries["legal_bases"][f"RU-CC-{article}"]
    assert entry["jurisdiction"] == "RU"
    assert entry["label"] and entry["label"] != f"RU-CC-{article}"
    assert entry["code"] == f"Criminal Code of the Russian Federation, art. {article}"
    assert re.fullmatch(r"\d{1,2} years|life imprisonment", entry["max_penalty"])


def test_the_penalties_a_reviewer_knows() -> None:
    bases = default_vocabulary().entries["legal_bases"]
    penalties = {key: bases[key].get("max_penalty") for key in bases}
    assert penalties["RU-CC-338"] == penalties["RU-CC-207.3"] == "15 years"
    assert penalties["RU-CC-275"] == "life imprisonment"
    assert penalties["RU-CC-280.3"] == "7 years"  # since Federal Law No. 58-FZ of 2023
    assert penalties["RU-CC-328"] == "2 years"
