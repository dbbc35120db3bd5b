"""quick_init: the same records as a plain frozen dataclass, built another way."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

from rasad.frozen import quick_init
from rasad.model import Article, Mention


@dataclass(frozen=True, slots=True)
class _Plain:
    start: int
    label: str = "x"
    tags: list[str] = field(default_factory=list)


@quick_init
@dataclass(frozen=True, slots=True)
class _Quick:
    start: int
    label: str = "x"
    tags: list[str] = field(default_factory=list)


def test_fields_defaults_and_factories_match_the_plain_dataclass() -> None:
    for args, kwargs in (((1,), {}), ((1, "y"), {}), ((), {"start": 2, "tags": ["a"]})):
        quick, plain = _Quick(*args, **kwargs), _Plain(*args, **kwargs)
        assert dataclasses.astuple(quick) == dataclasses.astuple(plain)
    first, second = _Quick(1), _Quick(1)
    assert first.tags == [] and first.tags is not second.tags  # a fresh list each time
    assert str(inspect.signature(_Quick)) == str(inspect.signature(_Plain))


def test_instances_stay_frozen_comparable_hashable_and_picklable() -> None:
    one = Mention("a", "e1", 0, 4, "حلب", "kb", 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.start = 3  # type: ignore[misc]
    same = Mention("a", "e1", 0, 4, "حلب", "kb", 0)
    assert one == same and hash(one) == hash(same)
    assert pickle.loads(pickle.dumps(one)) == one
    assert dataclasses.replace(one, start=1).start == 1 and one.start == 0


def test_argument_errors_are_the_usual_ones() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        _Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        _Quick(1, colour="red")  # type: ignore[call-arg]
    article = Article(id="a", source="s", file="f", text="نص")
    assert article.metadata == {} and article.metadata is not Article(id="b", source="s", file="f", text="").metadata


def test_refuses_classes_it_cannot_rebuild() -> None:
    @dataclass(slots=True)
    class Mutable:
        x: int

    @dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            pass

    for cls in (Mutable, Checked):
        with pytest.raises(TypeError, match="quick_init"):
            quick_init(cls)
