"""Diagnostic: what share of the per-article time the matching engines take.

usage: python bench/matching_share.py [--passes 5] [--corpus DIR ...] [--top 15]

The per-article pipeline scans text with two engines written in C: regular expressions
(``re``) and Aho-Corasick automata (pyahocorasick).  Everything else is the extraction
logic itself, run by the interpreter.  This script answers how much faster the pipeline
could get if the scanning alone were made free (a compiled matching pass): after a
warm-up pass (patterns compiled, lexicons loaded), it swaps every compiled pattern and
automaton it can reach from the ``rasad`` modules (module globals, the results of
cached loaders that take no argument, the alias-index and cue-automaton caches) for a
proxy that times each call, then times ``--passes`` passes over the corpus.  A
``finditer`` or automaton ``iter`` is timed in full (its matches are collected), as
the pipeline consumes them.  The proxies' own call overhead falls outside the timed
calls, so the shares are, if anything, slightly low.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
EXAMPLES = ROOT / "examples" / "corpus"
Timings = defaultdict[tuple[str, str], list[float]]


SCANS = frozenset({"search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"})


class TimedPattern:
    """A compiled pattern whose scanning calls (:data:`SCANS`) add their time to ``timings[(name, method)]``."""

    def __init__(self, pattern: re.Pattern[str], name: str, timings: Timings) -> None:
        self._pattern, self._name, self._timings = pattern, name, timings

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._pattern, attribute)
        return functools.partial(self._timed, attribute) if attribute in SCANS else value

    def _timed(self, method: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = getattr(self._pattern, method)(*args, **kwargs)
        if method == "finditer":
            result = iter(list(result))
        entry = self._timings[(self._name, method)]
        entry[0] += time.perf_counter() - start
        entry[1] += 1
        return result


class TimedAutomaton:
    """An Aho-Corasick automaton whose ``iter`` scans add their time to ``timings[(name, "iter")]``."""

    def __init__(self, automaton: Any, name: str, timings: Timings) -> None:
        self._automaton, self._name, self._timings = automaton, name, timings

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._automaton, attribute)

    def __len__(self) -> int:
        return len(self._automaton)

    def iter(self, *args: Any) -> Iterator[Any]:
        start = time.perf_counter()
        found = list(self._automaton.iter(*args))
        entry = self._timings[(self._name, "automaton")]
        entry[0] += time.perf_counter() - start
        entry[1] += 1
        return iter(found)


def _is_automaton(value: object) -> bool:
    return type(value).__name__ == "Automaton" and type(value).__module__ == "ahocorasick"


class Instrumenter:
    """Replaces patterns and automata inside containers and records, in place."""

    def __init__(self, timings: Timings) -> None:
        self.timings = timings
        self.seen: set[int] = set()
        self.count = 0

    def wrap(self, value: Any, name: str) -> Any:
        """``value`` as a timing proxy when it is a pattern or an automaton, else itself (walked)."""
        if isinstance(value, re.Pattern):
            self.count += 1
            return TimedPattern(value, f"{name} {value.pattern[:50]!r}", self.timings)
        if _is_automaton(value):
            self.count += 1
            return TimedAutomaton(value, name, self.timings)
        self.walk(value, name)
        return value

    def walk(self, value: Any, name: str, depth: int = 0) -> None:
        if depth > 6 or id(value) in self.seen:
            return
        self.seen.add(id(value))
        if isinstance(value, dict):
            for key, item in list(value.items()):
                self._set(lambda new, key=key: value.__setitem__(key, new), item, f"{name}[{str(key)[:20]}]", depth)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._set(lambda new, i=i: value.__setitem__(i, new), item, f"{name}[{i}]", depth)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                self._set(lambda new, f=f: object.__setattr__(value, f.name, new), getattr(value, f.name),
                          f"{name}.{f.name}", depth)
        elif type(value).__module__.startswith("rasad") and hasattr(value, "__dict__"):
            for key, item in list(vars(value).items()):
                self._set(lambda new, key=key: setattr(value, key, new), item, f"{name}.{key}", depth)

    def _set(self, store: Callable[[Any], None], item: Any, name: str, depth: int) -> None:
        if isinstance(item, re.Pattern) or _is_automaton(item):
            store(self.wrap(item, name))
        else:
            self.walk(item, name, depth + 1)

    def modules(self) -> None:
        """Every pattern and automaton of the loaded ``rasad`` modules that the instrumenter can reach."""
        for module_name, module in list(sys.modules.items()):
            if not module_name.startswith("rasad"):
                continue
            for key, value in list(vars(module).items()):
                name = f"{module_name.removeprefix('rasad.')}.{key}"
                if isinstance(value, re.Pattern) or _is_automaton(value):
                    setattr(module, key, self.wrap(value, name))
                elif isinstance(value, functools._lru_cache_wrapper) and value.cache_info().currsize:
                    try:
                        self.walk(value(), name + "()")  # a loader without arguments: its cached result
                    except TypeError:
                        continue
                elif isinstance(value, (dict, list)):
                    self.walk(value, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--corpus", type=Path, nargs="+",
                        default=[SEEDS, EXAMPLES] if SEEDS.is_dir() else [EXAMPLES])
    args = parser.parse_args()

    from rasad.ingest import iter_documents
    from rasad.kb import load_kb
    from rasad.kb.index import build_index
    from rasad.pipeline import DEFAULT_STAGES, Pipeline, RunState, process_stream

    kb = load_kb()
    build_index(kb)
    docs = list(iter_documents(args.corpus))
    pipeline = Pipeline.build(DEFAULT_STAGES)
    list(process_stream(docs, kb, pipeline=pipeline, state=RunState()))  # warm-up: patterns, lexicons

    timings: Timings = defaultdict(lambda: [0.0, 0])
    instrumenter = Instrumenter(timings)
    instrumenter.modules()
    start = time.perf_counter()
    for _ in range(args.passes):
        list(process_stream(docs, kb, pipeline=pipeline, state=RunState()))
    total = time.perf_counter() - start

    regex = sum(t for (_, method), (t, _) in timings.items() if method != "automaton")
    automata = sum(t for (_, method), (t, _) in timings.items() if method == "automaton")
    articles = len(docs) * args.passes
    print(f"corpus: {', '.join(map(str, args.corpus))}: {len(docs)} inputs x {args.passes} passes; "
          f"{instrumenter.count} patterns and automata timed")
    print(f"per article: {1000 * total / articles:.2f} ms; regular expressions {100 * regex / total:.1f}%, "
          f"Aho-Corasick automata {100 * automata / total:.1f}%, the rest (extraction logic) "
          f"{100 * (total - regex - automata) / total:.1f}%")
    print(f"if matching took no time at all: {total / (total - regex - automata):.2f}x faster")
    for (name, method), (seconds, calls) in sorted(timings.items(), key=lambda x: -x[1][0])[: args.top]:
        print(f"{100 * seconds / total:5.1f}% {calls:7d} {method:9s} {name}")


if __name__ == "__main__":
    main()
