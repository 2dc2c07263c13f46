"""Numbers as a learner reads them: hand-picked values and what the page must show for each."""
import pytest

from ui.numbers import latex, readable


def number(text: str) -> float:
    """A number as ui.numbers.readable writes it: "−4.002 × 10⁻⁷" -> -4.002e-07."""
    text = text.replace("−", "-").replace(",", "").translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
    mantissa, _, exponent = text.partition(" × 10")
    return float(mantissa) * 10 ** int(exponent or 0)


@pytest.mark.parametrize("value, text, tex", [
    (1.6978004, "1.698", "1.698"),                                   # a metric, not "1.697800…"
    (-4.002472e-07, "−4.002 × 10⁻⁷", r"-4.002 \times 10^{-7}"),      # not "−4.002472e − 07"
    (0.000224079, "2.241 × 10⁻⁴", r"2.241 \times 10^{-4}"),
    (0.001234, "0.001234", "0.001234"),                              # 10⁻³ is still written out
    (12345.6, "12,350", "12{,}350"),                                 # a bare comma in LaTeX gets a space
    (9.99996, "10.00", "10.00"),                                     # rounding carries into the next digit
    (99999.7, "1.000 × 10⁵", r"1.000 \times 10^{5}"),
    (0.0, "0", "0"),
    (-0.0, "0", "0"),                                                # never "-0"
])
def test_four_significant_digits_and_powers_of_ten_written_out(value, text, tex):
    assert readable(value) == text
    assert number(text) == pytest.approx(float(f"{value:.4g}"))   # tests read back what they show
    assert latex(value) == tex


def test_fewer_digits_when_asked():
    assert readable(3.4e-9, 2) == "3.4 × 10⁻⁹"
    assert readable(1e-5, 1) == "1 × 10⁻⁵" and readable(0.01, 1) == "0.01"
    assert readable(1.3525659354, 10) == "1.352565935"
