"""In headless Chromium: the Train page reads a learner's own CSV, trains on it, and refuses a bad one."""
from core.data import load_mnist
from tests.e2e.conftest import go, screenshot, settle
from tests.test_owndata import csv_bytes


def test_a_csv_upload_is_checked_shown_and_trained_on_and_a_bad_one_is_refused(page, tmp_path):
    images, labels = (a[:300] for a in load_mnist("test"))
    good, bad = tmp_path / "my-digits.csv", tmp_path / "broken.csv"
    good.write_bytes(csv_bytes(images, labels))
    bad.write_bytes(csv_bytes(images, labels).replace(b"\r\n7,", b"\r\n7,999,", 1))  # one line a value too long
    go(page, "Train")
    main = page.locator("[data-testid=stMain]")
    main.get_by_text("Train on your own data").click()
    upload = main.locator("input[type=file]")
    upload.set_input_files(str(bad))
    main.get_by_text("Your file was not used").wait_for(timeout=30_000)
    settle(page)
    assert "broken.csv: Line 2 has 786 values; the header has 785" in main.inner_text()
    assert main.get_by_role("button", name="Start").is_disabled()
    screenshot(page, "train-own-data-refused")
    main.get_by_role("button", name="Remove broken.csv").click()  # remove it, as a learner would
    main.get_by_text("Your file was not used").wait_for(state="detached", timeout=30_000)
    upload.set_input_files(str(good))
    main.get_by_text("(Kaggle CSV): 300 images").wait_for(timeout=30_000)
    settle(page)
    assert "300 images, 240 to train, 30 to validate, 30 held out to test" in main.inner_text()
    page.locator("[data-testid=stMain] [data-testid=stTextInput] input").first.fill("16")
    page.keyboard.press("Enter")
    settle(page)
    screenshot(page, "train-own-data")
    main.get_by_role("button", name="Start").click()
    main.get_by_text("of the 30 held-out images of my-digits.csv are read correctly").wait_for(timeout=120_000)
    settle(page)
    picked = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value()
    assert picked.startswith("Run 1 · upload:my-digits.csv · 8 epochs · "), picked
    screenshot(page, "train-own-data-finished")
    go(page, "Evaluate")
    assert "learned from your own data, my-digits.csv (300 images)" in main.inner_text()
    screenshot(page, "evaluate-own-data-model")
