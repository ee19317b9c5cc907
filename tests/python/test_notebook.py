"""The seed notebook, examples/autograd_tutorial.ipynb, executed by jupyter nbconvert; every
printed output is compared with the seed's (shared/seed/autograd_tutorial.txt).

The seed's outputs, in PyTorch 0.3's layout (the layout the C++ printer implements and
tests/test_print.cpp checks character by character). Where the seed's text lost characters (its
PDF extraction collapses runs of spaces and dropped the rows of y and of out), the rows are what
the seed's own arithmetic gives: y = 1 + 2 = 3, z = 3 y^2 = 27, out = mean(z) = 27. Two
differences come from the seed's environment, not from tensorgrad:
- the seed ran under Python 2, where `print(z, out)` printed the tuple (z, out) with its
  parentheses and commas; Python 3 prints the two separated by a space;
- in PyTorch 0.3 mean() returned a 1-element tensor ("of size 1"); since PyTorch 0.4, and in
  tensorgrad, it is 0-d ("of size ()").
"""

import json
import math
import os
import re
import subprocess
import sys

import pytest

NBCONVERT = "/usr/bin/jupyter-nbconvert"

SEED_X = "Variable containing:\n 1  1\n 1  1\n[torch.FloatTensor of size 2x2]\n"
SEED_Y = "Variable containing:\n 3  3\n 3  3\n[torch.FloatTensor of size 2x2]\n"
SEED_Z = "Variable containing:\n 27  27\n 27  27\n[torch.FloatTensor of size 2x2]"
SEED_OUT = "Variable containing:\n 27\n[torch.FloatTensor of size ()]"
SEED_GRAD = ("Variable containing:\n 4.5000  4.5000\n 4.5000  4.5000\n"
             "[torch.FloatTensor of size 2x2]\n")


@pytest.fixture(scope="module")
def executed(source_dir, tmp_path_factory):
    if not os.path.exists(NBCONVERT):
        pytest.skip("jupyter-nbconvert is not installed (apt-get install jupyter-nbconvert)")
    out_dir = tmp_path_factory.mktemp("notebook")
    env = dict(os.environ)
    # The kernel is Debian's python3 (its kernelspec); it imports tensorgrad as this process does.
    import tensorgrad
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(tensorgrad.__file__)) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    subprocess.run(
        [NBCONVERT, "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120",
         "--output-dir", str(out_dir), "--output", "executed",
         os.path.join(source_dir, "examples", "autograd_tutorial.ipynb")],
        check=True, env=env, capture_output=True)
    with open(out_dir / "executed.ipynb") as f:
        nb = json.load(f)
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return cells


def stdout(cell):
    for o in cell.get("outputs", []):
        assert o["output_type"] != "error", "".join(o.get("traceback", []))
    return "".join("".join(o["text"]) for o in cell.get("outputs", [])
                   if o["output_type"] == "stream" and o["name"] == "stdout")


def test_code_cells_are_the_seeds(source_dir):
    with open(os.path.join(source_dir, "examples", "autograd_tutorial.ipynb")) as f:
        nb = json.load(f)
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert code[0] == "%matplotlib inline"
    # The only change from the seed: the two import lines.
    assert code[1] == "import tensorgrad as torch\nfrom tensorgrad.autograd import Variable"
    assert code[2] == "x = Variable(torch.ones(2, 2), requires_grad=True)\nprint(x)"
    assert code[3] == "y = x + 2\nprint(y)"
    assert code[5] == "z = y * y * 3\nout = z.mean()\n\nprint(z, out)"
    assert code[6] == "out.backward()"
    assert code[7] == "print(x.grad)"
    assert code[9] == ("gradients = torch.FloatTensor([0.1, 1.0, 0.0001])\n"
                       "y.backward(gradients)\n\nprint(x.grad)")
    assert len(code) == 10


def test_no_cell_fails(executed):
    for cell in executed:
        stdout(cell)


def test_deterministic_cells_print_the_seeds_output(executed):
    assert stdout(executed[2]) == SEED_X
    assert stdout(executed[3]) == SEED_Y
    assert re.fullmatch(r"<AddBackward\d object at 0x[0-9a-f]+>\n", stdout(executed[4]))
    assert stdout(executed[5]) == SEED_Z + " " + SEED_OUT + "\n"
    assert stdout(executed[6]) == ""
    assert stdout(executed[7]) == SEED_GRAD


NUMBER = r"-?\d+\.\d{4}|-?\d\.\d{4}e[+-]\d\d"


def values_of(text, size_line):
    lines = text.split("\n")
    assert lines[0] == "Variable containing:"
    assert lines[-2] == size_line and lines[-1] == ""
    rows = lines[1:-2]
    scale = 1.0
    if re.fullmatch(r" ?\d\.\d{5}e[+-]\d\d \*", rows[0]):  # a common scale factor line
        scale = float(rows[0].strip().rstrip(" *"))
        rows = rows[1:]
    assert len(rows) == 3
    widths = {len(r) for r in rows}
    assert len(widths) == 1, f"one column width for all values: {rows}"
    for r in rows:
        assert re.fullmatch(r" +(" + NUMBER + ")", r), r
    return [float(r) * scale for r in rows]


def test_random_cells_have_the_seeds_structure_and_gradient(executed):
    y = values_of(stdout(executed[8]), "[torch.FloatTensor of size 3]")
    grad = values_of(stdout(executed[9]), "[torch.FloatTensor of size 3]")
    # The loop doubled y until its norm reached 1000: y = 2^k x with |y| >= 1000 > |y| / 2.
    norm = math.sqrt(sum(v * v for v in y))
    assert norm >= 1000 - 0.01 and norm / 2 < 1000 + 0.01
    # x.grad = 2^k * [0.1, 1.0, 0.0001]: the middle value is 2^k exactly.
    k = math.log2(grad[1])
    assert k == round(k) and k >= 1
    assert grad[0] == pytest.approx(0.1 * 2**k, abs=1e-4)
    assert grad[2] == pytest.approx(0.0001 * 2**k, abs=1e-4)
