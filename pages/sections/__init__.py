"""Sections of one page each, kept beside the pages (in a folder of their own, so Streamlit never lists them as pages).

explain, explain_forward, explain_backward, explain_convolution: How it works' steps; draw_prediction: Draw & predict's
logits, softmax temperature and saliency; train_live: the Train page's live view.
"""
