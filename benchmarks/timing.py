"""What the training benchmarks share."""


def time_to(results, target: float) -> str:
    """Training seconds until the test accuracy first reached `target`, from [(seconds, accuracy) per epoch]."""
    elapsed = 0.0
    for seconds, accuracy in results:
        elapsed += seconds
        if accuracy >= target:
            return f"{elapsed:6.1f} s"
    return "   not reached"
