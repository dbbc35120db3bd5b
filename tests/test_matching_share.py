"""The timing proxies of bench/matching_share.py give the wrapped engines' own results and count their calls."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from matching_share import Instrumenter, TimedAutomaton, TimedPattern, Timings


@dataclass(frozen=True, slots=True)
class Lexicon:
    words: re.Pattern[str]
    nested: dict[str, list[re.Pattern[str]]]


def _automaton(*keys: str) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, (len(key), key))
    automaton.make_automaton()
    return automaton


def test_patterns_inside_frozen_records_and_containers_are_wrapped_and_timed() -> None:
    timings: Timings = defaultdict(lambda: [0.0, 0])
    words, digits = re.compile(r"قصف|غارة"), re.compile(r"\d+")
    lexicon = Lexicon(words, {"dates": [digits]})
    Instrumenter(timings).walk(lexicon, "lexicon")
    assert isinstance(lexicon.words, TimedPattern)
    assert isinstance(lexicon.nested["dates"][0], TimedPattern)

    text = "غارة على القرية ثم قصف في 12 و 13 تموز"
    assert [m.span() for m in lexicon.words.finditer(text)] == [m.span() for m in words.finditer(text)]
    assert len(list(words.finditer(text))) == 2
    assert lexicon.nested["dates"][0].findall(text) == ["12", "13"]
    assert lexicon.words.sub("X", text) == words.sub("X", text) != text
    calls = {method: entry[1] for (_, method), entry in timings.items()}
    assert calls == {"finditer": 1, "findall": 1, "sub": 1}
    assert all(entry[0] >= 0 for entry in timings.values())


def test_an_automaton_proxy_yields_what_the_automaton_yields() -> None:
    timings: Timings = defaultdict(lambda: [0.0, 0])
    automaton = _automaton("دير", "دير الزور", "الزور")
    proxy = Instrumenter(timings).wrap(automaton, "places")
    assert isinstance(proxy, TimedAutomaton)
    text = "في دير الزور اليوم"
    assert list(proxy.iter(text)) == list(automaton.iter(text))
    assert len(proxy) == 3
    assert timings[("places", "automaton")][1] == 1


def test_other_values_are_left_as_they_are() -> None:
    timings: Timings = defaultdict(lambda: [0.0, 0])
    values = {"n": 3, "s": "نص", "t": (re.compile("x"),)}  # a tuple cannot be changed in place
    Instrumenter(timings).walk(values, "values")
    assert values["n"] == 3 and values["s"] == "نص"
    assert isinstance(values["t"][0], re.Pattern)
