"""core.calibration: the reject threshold's coverage and accuracy, the reliability bins, ECE and MCE, by hand."""
import numpy as np

from core.calibration import (choose, confidence_and_correct, fit_temperature, just_below, reliability, risk_coverage,
                              scale_temperature, temperature_nll)
from core.nn.losses import softmax

# Ten predictions worked by hand: confidence (max p) and whether the picked digit is right.
CONF = np.array([0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.55, 0.45, 0.35])
RIGHT = np.array([1, 1, 1, 0, 1, 1, 0, 1, 0, 0], dtype=bool)  # 6 of 10 right


def test_confidence_and_correct_read_the_top_probability_and_compare_its_digit_with_the_label():
    P = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    conf, right = confidence_and_correct(P, [1, 1, 2])
    assert np.allclose(conf, [0.7, 0.5, 0.6]) and right.tolist() == [True, False, True]


def test_a_threshold_of_point_seven_answers_six_and_gets_five_right():
    # answered: conf >= 0.7 -> the first six (0.95 .. 0.7); right among them: 1+1+1+0+1+1 = 5
    # declined: 0.65, 0.55, 0.45, 0.35 -> right 0+1+0+0 = 1 of 4
    choice = choose(CONF, RIGHT, 0.7)
    assert choice.coverage == 0.6
    assert np.isclose(choice.accuracy, 5 / 6)
    assert choice.declined_accuracy == 0.25


def test_threshold_zero_answers_everything_with_the_plain_accuracy_and_declines_nothing():
    choice = choose(CONF, RIGHT, 0.0)
    assert choice.coverage == 1.0 and choice.accuracy == RIGHT.mean() == 0.6
    assert np.isnan(choice.declined_accuracy)
    assert np.isnan(choose(CONF, RIGHT, 0.99).accuracy)  # above every confidence: nothing answered


def test_the_risk_coverage_curve_is_every_threshold_at_once():
    thresholds, coverage, accuracy = risk_coverage(CONF, RIGHT)
    # surest first: after 1 answered 1/1, 2: 2/2, 3: 3/3, 4: 3/4, 5: 4/5, 6: 5/6, 7: 5/7, 8: 6/8, 9: 6/9, 10: 6/10
    assert np.allclose(thresholds, CONF)
    assert np.allclose(coverage, np.arange(1, 11) / 10)
    assert np.allclose(accuracy, [1, 1, 1, 3 / 4, 4 / 5, 5 / 6, 5 / 7, 6 / 8, 6 / 9, 6 / 10])
    for t, cov, acc in zip(thresholds, coverage, accuracy):  # each point is what choose() says at its threshold
        assert (cov, acc) == (choose(CONF, RIGHT, t).coverage, choose(CONF, RIGHT, t).accuracy)


def test_ties_are_answered_together_and_coverage_only_grows():
    conf = np.array([0.9, 0.6, 0.9, 0.6, 0.3])
    right = np.array([1, 0, 0, 1, 1], dtype=bool)
    thresholds, coverage, accuracy = risk_coverage(conf, right)
    # t = 0.9 answers two (1 right), t = 0.6 four (2 right), t = 0.3 all five (3 right)
    assert np.allclose(thresholds, [0.9, 0.6, 0.3]) and np.allclose(coverage, [0.4, 0.8, 1.0])
    assert np.allclose(accuracy, [0.5, 0.5, 0.6])
    rng = np.random.default_rng(0)
    thresholds, coverage, _ = risk_coverage(rng.random(1000).round(2), rng.random(1000) < 0.7)
    assert np.all(np.diff(coverage) > 0) and np.all(np.diff(thresholds) < 0) and coverage[-1] == 1


def test_reliability_bins_ece_and_mce_by_hand():
    rel = reliability(CONF, RIGHT, bins=5)  # bins (0, .2], (.2, .4], (.4, .6], (.6, .8], (.8, 1]
    # (.2,.4]: 0.35 wrong          -> n 1, conf 0.35, acc 0
    # (.4,.6]: 0.55 right, 0.45 wrong -> n 2, conf 0.50, acc 0.5
    # (.6,.8]: 0.8 wrong, 0.75 right, 0.7 right, 0.65 wrong -> n 4, conf 0.725, acc 0.5
    # (.8, 1]: 0.95, 0.9, 0.85 all right -> n 3, conf 0.9, acc 1
    assert rel.counts.tolist() == [0, 1, 2, 4, 3]
    assert np.allclose(rel.confidence[1:], [0.35, 0.5, 0.725, 0.9]) and np.isnan(rel.confidence[0])
    assert np.allclose(rel.accuracy[1:], [0, 0.5, 0.5, 1])
    # ECE = 1/10·0.35 + 2/10·0 + 4/10·0.225 + 3/10·0.1 = 0.035 + 0 + 0.09 + 0.03 = 0.155
    assert np.isclose(rel.ece, 0.155)
    assert np.isclose(rel.mce, 0.35)  # the biggest gap: bin (.2, .4]


def test_a_perfectly_calibrated_set_has_zero_ece():
    # in each bin, a share conf of the images is right: 10 at 0.3 (3 right), 10 at 0.5 (5), 10 at 0.9 (9)
    conf = np.repeat([0.3, 0.5, 0.9], 10)
    right = np.concatenate([np.arange(10) < 3, np.arange(10) < 5, np.arange(10) < 9])
    rel = reliability(conf, right)
    assert np.isclose(rel.ece, 0, atol=1e-12) and np.isclose(rel.mce, 0, atol=1e-12)  # 0 up to rounding


def test_an_overconfident_model_has_ece_equal_to_its_overconfidence():
    # always 99 % sure, right 80 % of the time: one bin, gap 0.19
    rel = reliability(np.full(100, 0.99), np.arange(100) < 80)
    assert np.isclose(rel.ece, 0.19) and np.isclose(rel.mce, 0.19) and rel.counts[-1] == 100


def test_just_below_names_the_declined_images_nearest_the_threshold():
    assert just_below(CONF, 0.7, 3).tolist() == [6, 7, 8]  # 0.65, 0.55, 0.45; 0.7 itself is answered
    assert just_below(CONF, 0.1, 3).size == 0


def test_temperature_scaling_finds_the_temperature_that_made_the_labels():
    # labels drawn from softmax(Z / 2): the most likely T for them is close to 2, and a brute-force grid agrees
    rng = np.random.default_rng(0)
    Z = rng.normal(0, 4, (4000, 10))
    P = np.exp(Z / 2) / np.exp(Z / 2).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(10, p=p) for p in P])
    T = fit_temperature(Z, y)
    assert abs(T - 2) < 0.15
    grid = np.linspace(0.5, 5, 901)
    assert abs(T - grid[np.argmin([temperature_nll(Z, y, t) for t in grid])]) < 0.01


def test_temperature_nll_by_hand():
    # logits (0, ln 3) at T = 1: p = (1/4, 3/4); label 1 -> -ln(3/4) = 0.2877; at T = 1/2 logits (0, 2 ln 3): p = 9/10
    Z = np.array([[0.0, np.log(3)]])
    assert np.isclose(temperature_nll(Z, [1], 1.0), -np.log(0.75))
    assert np.isclose(temperature_nll(Z, [1], 0.5), -np.log(0.9))


def test_temperature_scaling_fits_on_one_half_and_measures_on_the_other():
    # overconfident logits: labels drawn from softmax(Z / 3), scored with T = 1; fitting T brings ECE down
    rng = np.random.default_rng(1)
    Z = rng.normal(0, 5, (4000, 10))
    y = np.array([rng.choice(10, p=p) for p in softmax(Z / 3)])
    fit = scale_temperature(Z, y)
    assert fit.temperature == fit_temperature(Z[:2000], y[:2000]) and fit.held_out == 2000
    assert np.isclose(fit.ece_before, reliability(*confidence_and_correct(softmax(Z[2000:]), y[2000:])).ece)
    assert fit.ece_before > 0.1 and fit.ece_after < fit.ece_before / 3
