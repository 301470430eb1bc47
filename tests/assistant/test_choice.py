"""Reading a reply to "which of these do you mean?" (assistant.choice)."""

import pytest

from assistant.choice import read_choice
from core.settings import DEFAULT_GUIDES_DIR
from knowledge.catalog import Catalog


@pytest.fixture(scope="module")
def offered():
    catalog = Catalog.from_dir(DEFAULT_GUIDES_DIR)
    return [catalog.get(b) for b in ("newborn", "after_death", "elderly_welfare")]


@pytest.mark.parametrize("reply, chosen", [
    ("2", "after_death"), ("第二个", "after_death"), ("第三個", "elderly_welfare"), ("就第一个吧", "newborn"),
    ("选3", "elderly_welfare"), ("2号", "after_death"), ("第2項。", "after_death"), ("２", "after_death"),
    ("the second one", "after_death"), ("Second.", "after_death"), ("option 2", "after_death"), ("no. 3", "elderly_welfare"),
    ("#1", "newborn"), ("two", "after_death"), ("I mean the 1st one", "newborn"), ("2 please", "after_death"),
    ("the last one", "elderly_welfare"), ("最后一个", "elderly_welfare"),
    ("新生儿出生一件事", "newborn"), ("出生那个吧", "newborn"), ("老人的", "elderly_welfare"), ("the newborn one", "newborn"),
    ("after-death", "after_death"),
])
def test_a_number_an_ordinal_or_a_word_of_one_options_name_chooses_it(offered, reply, chosen):
    assert read_choice(reply, offered) == chosen


@pytest.mark.parametrize("reply", [
    "4", "第六个", "随便", "一件事",  # no such option; nothing that tells the options apart
    "我想问一下出生证明怎么办",  # a question of its own naming a word of one option: not a choice
    "户口那个",  # names no option offered
])
def test_a_reply_that_picks_no_single_option_chooses_none(offered, reply):
    assert read_choice(reply, offered) is None
    assert read_choice(reply, []) is None


@pytest.mark.parametrize("reply", ["都不是", "以上都不对", "不是这几个", "没有我要的", "其他的事情", "都唔係", "唔係呢啲",
                                   "none", "None of these.", "neither", "No, none of the above", "something else"])
def test_none_of_them_is_read_as_such(reply):
    from assistant.choice import declines_all

    assert declines_all(reply)


@pytest.mark.parametrize("reply", ["2", "第二个", "不是这个意思，我是问户口", "我没有结婚证", "are there any others?",
                                   "none of my business", ""])
def test_a_choice_or_a_question_is_not_none_of_them(reply):
    from assistant.choice import declines_all

    assert not declines_all(reply)
