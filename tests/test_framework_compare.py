"""The PyTorch comparison (benchmarks/framework_compare.py) without PyTorch, as CI runs: a one-line install, no traceback."""
import re
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent


def test_without_pytorch_the_comparison_prints_its_one_line_install_and_exits_with_code_2():
    hide_torch = ("import runpy, sys; sys.modules['torch'] = None; "  # import torch fails, installed or not
                  "runpy.run_path('benchmarks/framework_compare.py', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", hide_torch], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    install = re.fullmatch(r"PyTorch is not installed: pip install -r (\S+)\n", result.stderr)
    assert install, result.stderr
    pinned = [line for line in (ROOT / install[1]).read_text().splitlines() if line.startswith("torch")]
    assert pinned == ["torch==2.13.0"]  # pinned: a newer or open range pulls a CUDA build of several GB
