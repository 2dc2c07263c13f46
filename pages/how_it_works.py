"""How it works: one digit through the network, forward and backward, in steps a learner takes one at a time."""
import streamlit as st

from core.nn.cnn import ConvNet
from pages.sections import explain_backward as backward
from pages.sections import explain_convolution as conv
from pages.sections import explain_forward as forward
from pages.sections.explain import chosen_digit, describe, digit_step
from ui import state
from ui.resources import shipped_cnn
from ui.shell import require_app_shell
from ui.stepper import current_step, stepper

require_app_shell()
CONVOLUTION = ("Convolution", "Pooling", "Kernel gradient")

model = state.current_model()
net = model.network
dense = not isinstance(net, ConvNet)
cnn = shipped_cnn(model.data.name) if dense else model  # a dense model's learner meets convolution through a shipped CNN
digit = chosen_digit(model)
st.title("How it works")

steps = {"The digit": lambda: digit_step(model, digit)}
if dense:
    outputs = "Softmax and loss" if net.output == "softmax" else "Outputs and loss"
    steps |= {"Forward": lambda: forward.layer_step(net, digit),
              outputs: lambda: forward.output_step(net, digit),
              "Backward: equations": lambda: backward.equations_step(net),
              "Backward: numbers": lambda: backward.numbers_step(net, digit),
              "Check a gradient": lambda: backward.check_step(net, digit),
              "One step": lambda: backward.gradient_step(model, digit)}
if cnn is not None:
    steps |= dict(zip(CONVOLUTION, (lambda: conv.convolution_step(cnn.network, digit.x, "hiw_conv"),
                                    lambda: conv.pooling_step(cnn.network, digit.x, "hiw_conv"),
                                    lambda: conv.kernel_gradient_step(cnn.network, digit.x, digit.label, "hiw_conv"))))

step = current_step(list(steps), state.EXPLAIN_STEP)
if step == "The digit":
    note = (f"One digit through **{model.label}** ({model.architecture}), with the real numbers. " + (
        "The code is written **batch-first**, as NumPy likes it: one image is a row **X** of shape (1, 784), "
        "`Z = X @ W + b`; tutorials often write the same maths column-first (`Z = W X + b`), and the backward "
        "step shows both." if dense else ""))
elif step in CONVOLUTION and dense:
    note = (f"These steps use the shipped convolutional network **{cnn.label}**: a small kernel slides over the "
            f"image, so the same few weights look for the same stroke everywhere. {describe(digit, cnn.network)}")
else:
    note = describe(digit, net)
stepper(list(steps), state.EXPLAIN_STEP, note)
if step == "The digit" and not dense:
    st.info("The layer-by-layer forward and backward walkthrough on this page is written for dense networks: pick "
            "one in the sidebar (the shipped **fast** model, say) to see it.", icon=":material/info:")
steps[step]()
