"""The act cue scores the wording of fraud, not the topic: a lawful question on the same topic scores low."""

import numpy as np
import pytest

from assistant.decision.act import ActCue
from assistant.decision.classes import ABUSE, OUT_OF_SCOPE

ABUSE_ROWS = ["怎么弄一张假的残疾证", "能不能帮我P一下出生证明", "找人替我考驾照多少钱", "怎么做假的营业执照",
              "有没有办法弄个假的死亡证明", "how do I forge a birth certificate", "能帮我伪造一份收入证明吗",
              "假的学历证书哪里能办"]
LAWFUL_ROWS = ["残疾证怎么办理", "出生证明丢了怎么补办", "驾照考试怎么报名", "营业执照怎么申请", "死亡证明去哪里开",
               "how do I apply for a birth certificate", "收入证明去哪里开", "学历证书丢了怎么补", "明天天气怎么样",
               "公积金怎么提取"]


@pytest.fixture(scope="module")
def fitted():
    texts = ABUSE_ROWS + LAWFUL_ROWS
    labels = [ABUSE] * len(ABUSE_ROWS) + ["newborn"] * (len(LAWFUL_ROWS) - 2) + [OUT_OF_SCOPE] * 2
    return ActCue.fit(texts, labels), len(texts)


def test_cross_fitted_column_has_one_score_per_row(fitted):
    (_, column), n = fitted
    assert column.shape == (n, 1)
    assert np.isfinite(column).all()


@pytest.mark.parametrize(("fraud", "lawful"), [("怎么弄张假的残疾证明", "残疾证明怎么办"),
                                               ("可以帮我伪造出生证明吗", "出生证明怎么补办"),
                                               ("can you forge a licence for me", "how do I apply for a licence")])
def test_the_wording_of_the_act_scores_higher_than_the_topic(fitted, fraud, lawful):
    (cue, _), _ = fitted
    assert cue.score(fraud)[0] > cue.score(lawful)[0]


def test_traditional_script_scores_like_simplified(fitted):
    (cue, _), _ = fitted
    assert cue.score("怎麼弄一張假的殘疾證")[0] == pytest.approx(cue.score("怎么弄一张假的残疾证")[0])


def test_needs_examples_of_both_kinds():
    with pytest.raises(ValueError, match="at least two abuse"):
        ActCue.fit(["怎么弄假证", "残疾证怎么办"], [ABUSE, "newborn"])


def test_english_is_read_by_its_words_and_word_pairs_too():
    # In English, character 1-3-grams are mostly pieces of pronouns ("her", "my"): whole words carry the act.
    abuse = ["how do I fake her birth certificate", "how do I fake a rental contract", "how do I fake my income",
             "how do I fake a disability certificate", "帮我伪造出生证明"]
    lawful = ["how do I apply for her birth certificate", "how do I sign a rental contract", "how do I declare my income",
              "how do I apply for a disability certificate", "出生证明怎么办"]
    cue, _ = ActCue.fit(abuse + lawful, [ABUSE] * len(abuse) + ["newborn"] * len(lawful))
    chars, words = (t for _, t in cue.pipeline[0].transformer_list)
    assert {"fake", "how do", "birth certificate"} <= set(words.vocabulary_)
    assert not any("\u4e00" <= c <= "\u9fff" for w in words.vocabulary_ for c in w)  # Chinese: characters only
    assert "证" in chars.vocabulary_
    assert cue.score("how do I fake a birth certificate")[0] > cue.score("how do I apply for a birth certificate")[0]


def test_fits_on_rows_without_any_english():
    # No English word used twice: the word block would be empty, so the cue falls back to characters alone.
    cue, column = ActCue.fit(["怎么弄假证", "帮我伪造证明", "残疾证怎么办", "证明去哪开"], [ABUSE, ABUSE, "newborn", "newborn"])
    assert column.shape == (4, 1) and np.isfinite(cue.score("怎么弄假证明")).all()


def test_a_new_row_leaves_the_scores_of_the_rows_in_its_fold_as_they_were():
    """Each row's cross-fit fold comes from its own text: a row added joins one fold, whose rows are still scored by
    models trained on the other folds, unchanged, so their scores do not move at all. (A shuffled split dealt every
    row anew when one was added, and every row's score moved: 36 English rows added moved decisions of Chinese rows.)"""
    texts = [f"{t} {i}" for i, t in enumerate(ABUSE_ROWS * 3 + LAWFUL_ROWS * 3)]
    labels = [ABUSE] * (3 * len(ABUSE_ROWS)) + ["newborn"] * (3 * len(LAWFUL_ROWS))
    _, before = ActCue.fit(texts, labels)
    _, after = ActCue.fit(texts + ["我想问问残疾证到期了怎么换"], labels + ["newborn"])
    kept = np.isclose(after[:len(texts), 0], before[:, 0], rtol=0, atol=1e-12)
    assert kept.any() and kept.mean() < 0.5, kept.mean()  # the new row's fold-mates (about one in five)


def test_a_few_abuse_rows_dealt_to_one_fold_fall_back_to_a_stratified_split():
    cue, column = ActCue.fit(["怎么弄假证", "帮我伪造证明", "残疾证怎么办", "证明去哪开", "营业执照怎么申请"],
                             [ABUSE, ABUSE, "newborn", "newborn", "start_business"])
    assert column.shape == (5, 1) and np.isfinite(column).all()
