"""Numbers as a learner reads them: a few significant digits, and powers of ten written out, never 4.0e-07."""
import math

import numpy as np

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
PLAIN = range(-3, 5)  # exponents shown as plain decimals: 0.001234 to 12,340


def parts(value: float, digits: int = 4) -> tuple:
    """(mantissa, exponent) of value rounded to `digits` significant digits; exponent None when written plainly."""
    if value == 0 or not math.isfinite(value):
        return f"{value + 0.0:g}", None                      # -0.0 + 0.0 = 0.0: a zero never shows as -0
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")   # rounds first, so 9.9996 becomes 1.000e+01
    exponent = int(exponent)
    if exponent in PLAIN:
        return f"{float(f'{mantissa}e{exponent}'):,.{max(digits - 1 - exponent, 0)}f}", None
    return mantissa, exponent


def readable(value: float, digits: int = 4) -> str:
    """Text: 0.001698, 1.698, 12,350, 2.241 × 10⁻⁴, −4.002 × 10⁻⁷ (a true minus sign, superscript powers)."""
    mantissa, exponent = parts(float(value), digits)
    text = mantissa if exponent is None else f"{mantissa} × 10{str(exponent).translate(SUPERSCRIPTS)}"
    return text.replace("-", "−")


def latex(value: float, digits: int = 4) -> str:
    r"""LaTeX: 0.001698, 1{,}698, -4.002 \times 10^{-7}."""
    mantissa, exponent = parts(float(value), digits)
    mantissa = mantissa.replace(",", "{,}")                  # a bare comma in maths gets a space after it
    return mantissa if exponent is None else rf"{mantissa} \times 10^{{{exponent}}}"


def percent(p: float) -> str:
    """A probability with decimals enough that 0.99998 does not read as 100.0 %."""
    if p > 0.99995:
        return "more than 99.99%"
    return f"{p:.{int(np.clip(np.ceil(-np.log10(1 - p)) - 1, 1, 2))}%}"
