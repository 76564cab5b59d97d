"""The demo stays believable for a working session (issue 14): what personas post."""

from __future__ import annotations

import random

from p2pshare.demo.personas import answer_to
from p2pshare.demo.pool import Pool, pool
from p2pshare.demo.storyline import PERSONAS


def test_the_pool_is_large_and_every_title_distinct() -> None:
    items = pool()
    assert len(items) >= 1000
    assert len({title for title, *_ in items}) == len(items)


def test_personas_post_only_outside_their_skills_and_never_twice() -> None:
    picker = Pool(random.Random(7))
    seen: set[str] = set()
    # 30 minutes at the demo's pace is about 30 posts; ask for ten times that
    for n in range(300):
        persona = PERSONAS[n % 6]
        picked = picker.pick(persona.skills)
        assert picked is not None
        title, skills, _, _ = picked
        assert set(skills).isdisjoint(persona.skills), (persona.name, title)
        assert title not in seen
        seen.add(title)


def test_personas_answer_a_question() -> None:
    assert "flexible" in answer_to("Is the date fixed?", mine=True)
    assert "author" in answer_to("Is the date fixed?", mine=False)
