"""Quick value classes (visitplanner.core.values): made faster, and otherwise the dataclass they
were."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import InitVar, dataclass, field
from datetime import date, datetime

import pytest

from visitplanner.core.history import Fact
from visitplanner.core.model import LONDON, Location, Outcome
from visitplanner.core.values import quick_init


@dataclass(frozen=True, slots=True)
class Plain:
    name: str
    due: date | None
    count: int = 3
    tags: frozenset[str] = frozenset()
    seen: bool = field(default=False, init=False)


# The same class as Plain, made quick: the rules below compare the two.
@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    name: str
    due: date | None
    count: int = 3
    tags: frozenset[str] = frozenset()
    seen: bool = field(default=False, init=False)


def fields_of(value: object) -> tuple[object, ...]:
    return tuple(getattr(value, f.name) for f in dataclasses.fields(value))  # type: ignore[arg-type]


def test_a_quick_value_holds_what_the_dataclass_would_by_position_keyword_and_default() -> None:
    day = date(2026, 12, 4)
    assert fields_of(Quick("a", day)) == fields_of(Plain("a", day)) == ("a", day, 3, frozenset(),
                                                                         False)
    assert fields_of(Quick("a", None, 5, frozenset({"x"}))) == ("a", None, 5, frozenset({"x"}),
                                                                False)
    assert fields_of(Quick(due=day, name="b", tags=frozenset({"y"}))) == \
        ("b", day, 3, frozenset({"y"}), False)


def test_a_quick_value_takes_the_same_arguments_and_refuses_the_same_mistakes() -> None:
    assert str(inspect.signature(Quick)) == str(inspect.signature(Plain)).replace(
        "Plain", "Quick")
    with pytest.raises(TypeError):
        Quick("a")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", None, seen=True)  # type: ignore[call-arg]


def test_a_quick_value_stays_frozen_compares_hashes_prints_pickles_and_is_replaced() -> None:
    value = Quick("a", date(2026, 12, 4), 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.name = "b"  # type: ignore[misc]
    assert value == Quick("a", date(2026, 12, 4), 4) != Quick("a", date(2026, 12, 4), 5)
    assert hash(value) == hash(Quick("a", date(2026, 12, 4), 4))
    assert repr(value) == repr(Plain("a", date(2026, 12, 4), 4)).replace("Plain", "Quick")
    assert pickle.loads(pickle.dumps(value)) == value
    assert dataclasses.replace(value, count=9) == Quick("a", date(2026, 12, 4), 9)


def test_a_quick_value_runs_its_post_init() -> None:
    fact = Fact(datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), Location.HOME, True,
                Outcome.COMPLETED, None, frozenset())
    assert fact.day == date(2026, 3, 29)
    assert dataclasses.replace(fact, at=datetime(2026, 10, 25, 23, 0, tzinfo=LONDON)).day == \
        date(2026, 10, 25)


def test_quick_init_refuses_a_class_it_would_not_make_the_same_way() -> None:
    @dataclass(slots=True)
    class Mutable:
        name: str

    @dataclass(frozen=True)
    class Unslotted:
        name: str

    @dataclass(frozen=True, slots=True)
    class Factory:
        names: tuple[str, ...] = field(default_factory=tuple)

    @dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        name: str

    @dataclass(frozen=True, slots=True)
    class InitOnly:
        name: str
        spelling: InitVar[str]

        def __post_init__(self, spelling: str) -> None:
            object.__setattr__(self, "name", self.name or spelling)

    for cls in (Mutable, Unslotted, Factory, KeywordOnly, InitOnly):
        with pytest.raises(TypeError, match="quick_init"):
            quick_init(cls)
