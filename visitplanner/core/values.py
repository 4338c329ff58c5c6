"""Frozen value classes that are quick to make: the planner makes a few hundred thousand a plan.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, the way
round its own ``__setattr__`` (which refuses): about 1.5 microseconds for eight fields on
Python 3.11, three times a mutable one's.  A plan of 5,000 children makes over a million
such values (deadlines, facts, reasons, slots), so this is several per cent of its CPU.

:func:`quick_init` gives a frozen, slotted dataclass an ``__init__`` that sets each slot
through the slot's own descriptor instead, which is what ``object.__setattr__`` ends up
calling: the same values, half the time.  Nothing else changes: the class is still frozen
(setting a field raises ``FrozenInstanceError``), compares, hashes, prints, pickles and is
``replace``-d as before.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """``cls`` (a frozen, slotted dataclass) with the quick ``__init__`` (see module).

    Refused for a class it would not make the same way: a field with a default factory,
    keyword-only fields or init-only variables.  ``__post_init__`` is called as the
    dataclass's own ``__init__`` calls it.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen, slotted dataclasses")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    # The dataclass's own __init__ says what it takes: an init-only variable is a parameter
    # that is no field, a keyword-only field a parameter of another kind.
    _, *taken = inspect.signature(cls.__init__).parameters.values()  # after self
    if any(f.default_factory is not dataclasses.MISSING for f in fields) or \
            [(p.name, p.kind) for p in taken] != \
            [(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for f in fields if f.init]:
        raise TypeError(f"{cls.__name__}: quick_init makes no default factories, keyword-only "
                        "fields or init-only variables")
    namespace: dict[str, Any] = {}
    arguments, body = ["self"], []
    for n, f in enumerate(fields):
        namespace[f"set_{n}"] = cls.__dict__[f.name].__set__
        if f.init:
            if f.default is dataclasses.MISSING:
                arguments.append(f.name)
            else:
                namespace[f"default_{n}"] = f.default
                arguments.append(f"{f.name}=default_{n}")
            body.append(f"set_{n}(self, {f.name})")
        elif f.default is not dataclasses.MISSING:
            namespace[f"default_{n}"] = f.default
            body.append(f"set_{n}(self, default_{n})")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__({', '.join(arguments)}):\n" + \
        "".join(f"    {line}\n" for line in body or ["pass"])
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)  # as help() shows it
    setattr(cls, "__init__", init)  # noqa: B010 -- a class attribute, set after the class is made
    return cls
