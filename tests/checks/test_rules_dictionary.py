"""Rules on dictionary-encoded columns decide once per dictionary, and decide right for each one."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.rules import Ctx, _TypedMask, on_values


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


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "bb", "ccc", "", "dddd"])), max_size=60),
       st.lists(st.one_of(st.none(), st.sampled_from(["zz", "y"])), max_size=3))
def test_counting_on_the_indices_equals_counting_the_mask(values, extra) -> None:
    # unused entries, null entries and null indices: the count is the mask's, every time
    encoded = pa.array(values, pa.string()).dictionary_encode()
    dictionary = pa.concat_arrays([encoded.dictionary, pa.array(extra, pa.string())])
    arr = pa.DictionaryArray.from_arrays(encoded.indices, dictionary)
    rule = _TypedMask("s", _long)
    ctx = Ctx(0, len(arr), {"s": arr}, {"s": arr}, {"s": None})
    mask = rule(ctx)
    assert mask is not None
    assert rule.count(ctx) == (pc.sum(mask).as_py() or 0)
    plain = Ctx(0, len(values), {}, {"s": pa.array(values, pa.string())}, {})
    assert rule.count(plain) is None  # not a dictionary: the mask is counted
    assert rule.count(Ctx(0, 0, {}, {}, {})) is None
