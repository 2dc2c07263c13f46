"""How the Draw page words a probability: never 100 % for a network that keeps some doubt."""
import pytest

from ui.numbers import percent


@pytest.mark.parametrize("p, shown", [(0.5, "50.0%"), (0.9, "90.0%"), (0.995, "99.50%"), (0.9996, "99.96%"),
                                      (0.99994, "99.99%"), (0.99996, "more than 99.99%"), (1.0, "more than 99.99%")])
def test_a_probability_near_one_is_not_rounded_to_certainty(p, shown):
    assert percent(p) == shown
