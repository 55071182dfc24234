"""How a count reads when it is not counted to the end: exact, a lower bound, or the database's estimate."""

from itsm.counts import Total


def test_labels():
    assert Total(1234, exact=True).label == "1,234"
    assert Total(10_001, exact=False).label == "10,000+"  # counted up to the cap and one more
    assert Total(47_517, exact=False, estimated=True).label == "about 48,000"
    assert Total(1_250_000, exact=False, estimated=True).label == "about 1.2 million"
    assert Total(2_000_000, exact=False, estimated=True).label == "about 2 million"


def test_a_sum_is_exact_only_when_every_part_is():
    assert Total.sum([Total(3, exact=True), Total(4, exact=True)]) == Total(7, exact=True)
    assert Total.sum([Total(3, exact=True), Total(1001, exact=False)]).label == "1,003+"
    assert Total.sum([Total(1001, exact=False), Total(1001, exact=False)]).label == "2,000+"
    mixed = Total.sum([Total(3, exact=True), Total(47_000, exact=False, estimated=True), Total(1001, exact=False)])
    assert (mixed.estimated, mixed.label) == (True, "about 48,000")
