"""Rules on dictionary-encoded columns decide once per dictionary, and decide right for each one."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from checks.rules import on_values


def _long(a: pa.Array) -> pa.Array:
    return pc.greater(pc.utf8_length(a), pa.scalar(1, pa.int64()))


def test_decisions_follow_each_dictionary_and_are_kept_for_its_slices() -> None:
    calls: list[int] = []

    def fn(a: pa.Array) -> pa.Array:
        calls.append(len(a))
        return _long(a)

    whole = pa.array(["a", "bb", None, "a", "ccc", "bb", "d"]).dictionary_encode()
    got = [on_values(whole.slice(i, 3), fn).to_pylist() for i in range(0, 7, 3)]
    assert got == [[False, True, None], [False, True, True], [False]]
    assert calls == [4]  # the slices share one dictionary: decided once
    # another dictionary of the same length, entries in another order: decided anew
    other = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 3], pa.int32()), pa.array(["xx", "y", "zz", "w"]))
    assert on_values(other, fn).to_pylist() == [True, False, True, False]
    assert calls == [4, 4]
    assert on_values(pa.array(["ab", "c"]), fn).to_pylist() == [True, False]
    # back to the first dictionary (no longer the last one): decided again, the same way
    assert on_values(whole, fn).to_pylist() == [False, True, None, False, True, True, False]
    assert calls == [4, 4, 2, 4]



class _Long:
    __slots__ = ("calls",)  # no __weakref__: cannot be a key of the decisions kept

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, a: pa.Array) -> pa.Array:
        self.calls += 1
        return _long(a)


def test_a_callable_without_weak_references_is_decided_every_time() -> None:
    fn = _Long()
    arr = pa.array(["a", "bb", "a"]).dictionary_encode()
    assert on_values(arr, fn).to_pylist() == [False, True, False]
    assert on_values(arr, fn).to_pylist() == [False, True, False]
    assert fn.calls == 2
