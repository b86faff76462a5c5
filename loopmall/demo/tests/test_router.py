import pytest

from loopmall.demo import corpus, router


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("这本小说的情节很吸引人，作者的文笔细腻，人物刻画得很丰满，一口气读完了。", "book-fiction"),
        ("给三岁的女儿买的绘本，她每天睡前都要我讲里面的故事，书的纸张也很厚实。", "book-children"),
        ("这本书讲职场沟通和管理，对刚工作的白领很有帮助，作者经验丰富。", "book-business"),
        ("背单词用的书，考四六级前复习了一遍，这本书的例句很实用。", "book-study"),
        ("书里的中医养生方法很实用，穴位图也清楚，读者可以照着做。", "book-lifestyle"),
        ("上网本很轻巧，10寸屏幕够用，电池续航有5个小时，键盘手感不错。", "netbooks"),
        ("笔记本散热很好，独显玩游戏流畅，预装的vista换成了xp，驱动齐全。", "laptops"),
        ("酒店前台服务热情，房间干净，早餐品种丰富，出差入住很方便。", "hotel-city"),
        ("海景房推开窗就能看海，泳池也很大，度假入住很舒服。", "hotel-resort"),
        ("如家的房间虽小但很干净，前台服务快，经济型酒店里性价比最高。", "hotel-budget"),
    ],
)
def test_router_places_a_review_on_the_goods_it_talks_about(text, category):
    placement = router.route(text)
    assert placement is not None
    assert placement.category == category


@pytest.mark.parametrize(
    "text",
    [
        "快递很快，包装完好，谢谢卖家。",  # says nothing about the goods
        "在酒店房间里看完了这本书，酒店服务不错，书的故事也好。",  # a hotel and a book: not confident
        "这本书一般般。",  # a book, but which kind?
    ],
)
def test_router_declines_texts_it_cannot_place_confidently(text):
    assert router.route(text) is None


def test_mask_keeps_a_computer_manual_from_reading_as_a_book():
    assert router.route("说明书写得很清楚，键盘手感好，屏幕没有坏点，散热也不错。").category == "laptops"


def test_corpus_cleaning_drops_replies_fragments_and_broken_lines():
    assert corpus.clean("宾馆反馈 2008年7月16日 ： 感谢您的入住") is None
    assert corpus.clean("缺点有以下几个:") is None
    assert corpus.clean("太短了") is None
    assert corpus.clean("屏幕很好\ufffd键盘也不错，就是有点贵") is None
    assert (
        corpus.clean("补充点评 2008年7月9日 ： 很不错的一家酒店,在当地来说是最好的了.")
        == "很不错的一家酒店,在当地来说是最好的了."
    )
    assert (
        corpus.clean("2、酒店的娱乐设施比较不好，桌球、电玩聚集一室")
        == "酒店的娱乐设施比较不好，桌球、电玩聚集一室"
    )


def test_corpus_is_read_from_the_installed_package_and_deduplicated():
    texts = corpus.load()
    assert len(texts) > 10000
    assert len({item.text for item in texts}) == len(texts)
    assert {item.is_positive for item in texts} == {True, False}


def test_a_review_that_names_a_kind_of_product_goes_to_that_product():
    biography = "这本传记写了作者的往事，历史细节很丰富，值得一读。"
    assert router.route(biography).category == "book-fiction"
    assert router.product_for(biography, "book-fiction") == "历史的褶皱"
    assert router.product_for("温泉很舒服，山庄环境安静，入住愉快。", "hotel-resort") == "温泉山庄"
    assert router.product_for("这本小说情节紧凑，人物鲜明。", "book-fiction") is None
