"""Place a review text on the kind of goods it talks about, by keyword rules.

The demo's reviews are real texts (see `corpus.py`); each must sit on a product it could really be
about. Routing is two steps: the domain (book, computer, hotel stay) by weighted cue words, accepted
only when one domain clearly wins; then the category inside the domain. Anything the rules cannot
place confidently returns None and is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOOK, COMPUTER, HOTEL = "book", "computer", "hotel"
CATCH_ALL = r".*"

# (pattern, weight). Strong cues weigh 3; cues that also occur elsewhere weigh 1.
_DOMAIN_CUES: dict[str, list[tuple[str, int]]] = {
    BOOK: [
        (r"这本书|此书|本书|该书|这套书|好书|书中|书里|看书|读书|买书|新书|书的内容", 3),
        (r"作者|小说|读者|阅读|译者|翻译|章节|出版|印刷|绘本|童话|散文|诗集|名著|文笔|作品", 3),
        (r"看完|读完|读了|故事|情节|人物|插图|页|书", 1),
    ],
    COMPUTER: [
        (r"笔记本|本本|上网本|键盘|触摸板|内存|硬盘|显卡|独显|集显|光驱|驱动|散热|风扇|主板", 3),
        (r"(?i)xp|vista|win7|windows|linux|cpu|usb|thinkpad|蓝牙|摄像头|分辨率|坏点|亮点|续航|待机|预装", 3),
        (r"屏幕|电池|机器|机子|外壳|配置|系统|开机|声卡|音箱|接口|电源|适配器|做工", 1),
    ],
    HOTEL: [
        (r"酒店|宾馆|入住|前台|大堂|携程|客房|标间|标准间|大床房|双床|退房|总台|门童|星级|住宿", 3),
        (r"(?i)check ?in|check ?out|房间|早餐|服务员|卫生间|浴室|隔音|住了|住的|床|房价|停车", 1),
    ],
}
# Phrases that contain a cue character without meaning the domain ("说明书" is part of a computer's box).
_MASKS = re.compile(r"说明书|书桌|书架|证书|秘书|书包|图书馆")

# Inside a domain: category slug -> cue pattern. Ordered by precedence for ties.
_CATEGORY_CUES: dict[str, list[tuple[str, str]]] = {
    BOOK: [
        (
            "book-children",
            r"孩子|宝宝|儿子|女儿|小朋友|绘本|童话|儿童|幼儿|亲子|小孩|启蒙|育儿|童书|\d岁|[一二三四五六两]岁",
        ),
        (
            "book-study",
            r"(?i)英语|单词|考试|教材|考研|语法|习题|词汇|四级|六级|托福|雅思|复习|真题|课本|教程|编程|toefl|gre",
        ),
        (
            "book-business",
            r"管理|职场|经济|投资|理财|营销|销售|创业|企业|杜拉拉|成功学|励志|领导|上司|金融|股票|商业|老板|白领|经理|危机",
        ),
        (
            "book-lifestyle",
            r"健康|养生|美容|食谱|菜谱|做菜|减肥|瑜伽|收纳|装修|中医|营养|护肤|穴位|经穴|保健|家居",
        ),
        (
            "book-fiction",
            r"小说|作家|文笔|散文|诗|情节|文学|名著|爱情|青春|历史|推理|武侠|结局|主人公|主角|人物|故事|悬疑|传记",
        ),
    ],
    COMPUTER: [
        ("netbooks", r"(?i)上网本|小本|[89]\.9寸|10\.1|10寸|9寸|凌动|atom|eee|迷你|上网用"),
        ("laptops", CATCH_ALL),
    ],
    HOTEL: [
        (
            "hotel-resort",
            r"度假|海景|海边|沙滩|温泉|三亚|海滩|景区|泳池|山庄|游泳|看海|湖景|阳朔|丽江|九寨|黄山|西湖|鼓浪屿|海南",
        ),
        ("hotel-budget", r"如家|汉庭|莫泰|锦江之星|7天|七天|经济型|快捷|招待所|连锁"),
        ("hotel-city", CATCH_ALL),
    ],
}

_COMPILED_DOMAINS = {
    domain: [(re.compile(pattern), weight) for pattern, weight in cues]
    for domain, cues in _DOMAIN_CUES.items()
}
_COMPILED_CATEGORIES = {
    domain: [(slug, re.compile(pattern)) for slug, pattern in cues] for domain, cues in _CATEGORY_CUES.items()
}
DOMAIN_OF_CATEGORY = {slug: domain for domain, cues in _CATEGORY_CUES.items() for slug, _ in cues}

MIN_DOMAIN_SCORE = 3
MIN_MARGIN = 2.0  # the winning domain must score at least twice the runner-up


@dataclass(frozen=True)
class Placement:
    domain: str
    category: str


def domain_scores(text: str) -> dict[str, int]:
    masked = _MASKS.sub(" ", text)
    return {
        domain: sum(weight * len(pattern.findall(masked)) for pattern, weight in cues)
        for domain, cues in _COMPILED_DOMAINS.items()
    }


def route(text: str) -> Placement | None:
    """The category a review text is about, or None when the rules cannot tell confidently."""
    scores = domain_scores(text)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (domain, best), (_, runner_up) = ranked[0], ranked[1]
    if best < MIN_DOMAIN_SCORE or best < MIN_MARGIN * runner_up:
        return None
    masked = _MASKS.sub(" ", text)
    best_slug, best_hits = None, 0
    for slug, pattern in _COMPILED_CATEGORIES[domain]:
        if pattern.pattern == CATCH_ALL:
            # The domain's general category, used when no more specific one matched.
            return Placement(domain, best_slug or slug)
        hits = len(pattern.findall(masked))
        if hits > best_hits:
            best_slug, best_hits = slug, hits
    return Placement(domain, best_slug) if best_slug else None  # e.g. a book review naming no kind of book


def _product_cues() -> dict[str, list[tuple[str, re.Pattern]]]:
    from loopmall.demo import catalog

    by_category: dict[str, list[tuple[str, re.Pattern]]] = {}
    for spec in catalog.PRODUCTS:
        if spec.name in catalog.REVIEW_CUES:
            by_category.setdefault(spec.category, []).append(
                (spec.name, re.compile(catalog.REVIEW_CUES[spec.name]))
            )
    return by_category


_PRODUCT_CUES = _product_cues()


def product_for(text: str, category: str) -> str | None:
    """The one demo product (by name) a review of `category` is specifically about, if it names one;
    None when it could be about any product of the category."""
    best, best_hits = None, 0
    for name, pattern in _PRODUCT_CUES.get(category, []):
        hits = len(pattern.findall(text))
        if hits > best_hits:
            best, best_hits = name, hits
    return best
