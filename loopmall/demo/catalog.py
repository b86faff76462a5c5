"""The demo brand's catalog: it sells exactly the kinds of goods the demo's real reviews talk about
(books, laptops and netbooks, hotel stays; see `router.py`), plus a few accessories and two kits.

Prices are in yuan as written on a price tag; the loader turns them into minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

BRAND_NAME = "LoopMall 演示店"


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    name_en: str
    parent: str | None = None
    is_family: bool = False


@dataclass(frozen=True)
class VariantSpec:
    name: str
    tier: str
    price: str  # yuan, e.g. "39.80"
    list_price: str | None = None


@dataclass(frozen=True)
class ProductSpec:
    category: str
    name: str
    name_en: str
    variants: tuple[VariantSpec, ...]
    attributes: tuple[str, ...] = ()
    description: str = ""
    # A kit: (product name, variant index, quantity) of the parts its single SKU is made of.
    bundle_of: tuple[tuple[str, int, int], ...] = field(default=())


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("books", "图书", "Books"),
    CategorySpec("book-fiction", "文学小说", "Fiction & literature", "books"),
    CategorySpec("book-business", "经管励志", "Business & career", "books"),
    CategorySpec("book-children", "童书绘本", "Children's books", "books", is_family=True),
    CategorySpec("book-study", "教辅外语", "Study & languages", "books"),
    CategorySpec("book-lifestyle", "生活养生", "Health & lifestyle", "books"),
    CategorySpec("computers", "电脑数码", "Computers"),
    CategorySpec("laptops", "笔记本电脑", "Laptops", "computers"),
    CategorySpec("netbooks", "上网本", "Netbooks", "computers"),
    CategorySpec("computer-accessories", "电脑配件", "Computer accessories", "computers"),
    CategorySpec("hotels", "酒店住宿", "Hotel stays"),
    CategorySpec("hotel-city", "城市商务酒店", "City business hotels", "hotels"),
    CategorySpec("hotel-resort", "度假酒店", "Resort hotels", "hotels"),
    CategorySpec("hotel-budget", "经济型酒店", "Budget hotels", "hotels"),
)


def _book(category: str, name: str, name_en: str, price: str, list_price: str, *attributes: str,
          hardcover: str | None = None) -> ProductSpec:  # fmt: skip
    variants = [VariantSpec("平装", "budget" if Decimal(price) < 30 else "standard", price, list_price)]
    if hardcover:
        variants.append(VariantSpec("精装典藏版", "premium", hardcover, hardcover))
    return ProductSpec(category, name, name_en, tuple(variants), attributes)


def _one(category: str, name: str, name_en: str, tier: str, price: str, list_price: str | None,
         *attributes: str) -> ProductSpec:  # fmt: skip
    return ProductSpec(category, name, name_en, (VariantSpec("标准", tier, price, list_price),), attributes)


def _laptop(category: str, name: str, name_en: str, tier: str, configs: tuple[tuple[str, str, str], ...],
            *attributes: str) -> ProductSpec:  # fmt: skip
    return ProductSpec(
        category, name, name_en, tuple(VariantSpec(c, tier, p, lp) for c, p, lp in configs), attributes
    )


def _hotel(category: str, name: str, name_en: str, tier: str, room: str, breakfast: str,
           list_price: str, *attributes: str) -> ProductSpec:  # fmt: skip
    return ProductSpec(
        category,
        name,
        name_en,
        (
            VariantSpec("大床房 1晚", tier, room, list_price),
            VariantSpec(
                "双床房 1晚 含双早", "premium" if tier != "budget" else "standard", breakfast, breakfast
            ),
        ),
        attributes,
        description="可在全国同品牌门店使用，入住前一天预约。",
    )


PRODUCTS: tuple[ProductSpec, ...] = (
    # Fiction & literature
    _book("book-fiction", "长河尽头", "The Long River's End", "42.00", "56.00", hardcover="88.00"),
    _book("book-fiction", "雪落南城", "Snow over the Southern City", "36.80", "45.00"),
    _book("book-fiction", "胡同里的春天", "Spring in the Hutong", "29.90", "39.80", "eco"),
    _book("book-fiction", "迷雾庄园（悬疑小说）", "Manor in the Mist", "39.50", "49.80"),
    _book("book-fiction", "江湖夜雨十年灯", "Ten Years of Night Rain", "45.00", "59.00", hardcover="98.00"),
    _book("book-fiction", "青春散场之前", "Before Youth Ends", "26.80", "32.00"),
    _book("book-fiction", "纸上故乡（散文集）", "A Hometown on Paper", "33.00", "42.00", "eco"),
    _book(
        "book-fiction", "四季诗选", "Poems of Four Seasons", "25.00", "29.80", "gift_box", hardcover="68.00"
    ),
    _book("book-fiction", "历史的褶皱", "Folds of History", "49.80", "68.00"),
    _book(
        "book-fiction",
        "名著典藏：红楼梦",
        "Classics: Dream of the Red Chamber",
        "58.00",
        "79.00",
        "gift_box",
        hardcover="168.00",
    ),  # fmt: skip
    # Business & career
    _book("book-business", "职场升职手记", "Notes on Getting Promoted", "32.00", "39.80"),
    _book("book-business", "看懂经济危机", "Understanding Economic Crises", "38.00", "48.00"),
    _book("book-business", "个人理财第一课", "Personal Finance 101", "35.00", "45.00"),
    _book("book-business", "销售就是要赢", "Selling to Win", "29.80", "36.00"),
    _book("book-business", "从零开始创业", "Starting Up from Zero", "42.00", "52.00"),
    _book(
        "book-business",
        "管理者的二十堂课",
        "Twenty Lessons for Managers",
        "48.00",
        "58.00",
        hardcover="96.00",
    ),
    # Children's books (family)
    _book("book-children", "小熊晚安绘本（0-3岁）", "Good Night, Little Bear (0-3)", "24.80", "32.00", "eco"),
    _book("book-children", "好习惯养成故事（全8册）", "Good Habits Stories (8 vols)", "79.00", "128.00"),
    _book("book-children", "世界经典童话", "Classic Fairy Tales", "35.00", "45.00", hardcover="89.00"),
    _book("book-children", "儿童数学启蒙（3-4岁）", "Early Maths (3-4)", "28.00", "36.00"),
    _book(
        "book-children",
        "十万个为什么（少儿彩图版）",
        "A Hundred Thousand Whys (illustrated)",
        "49.00",
        "68.00",
    ),
    _book("book-children", "草地上的学校", "The School on the Meadow", "22.00", "28.00", "eco"),
    _book(
        "book-children",
        "亲子共读：爸爸妈妈讲故事",
        "Read Together: Stories from Mum and Dad",
        "32.00",
        "42.00",
    ),
    _book("book-children", "宝宝认知洞洞书", "Baby's First Peek-a-boo Book", "39.00", "49.00", "eco"),
    _book("book-children", "少年成长小说系列", "Growing Up: a Novel Series", "45.00", "60.00"),
    _book("book-children", "正面管教：育儿手册", "Positive Parenting Handbook", "36.00", "46.00"),
    # Study & languages
    _book("book-study", "英语核心词汇随身记", "Core English Vocabulary", "26.00", "32.00"),
    _book("book-study", "大学英语四六级真题详解", "CET-4/6 Past Papers Explained", "39.80", "49.80"),
    _book("book-study", "考研数学复习全书", "Postgraduate Maths Review", "59.00", "75.00"),
    _book("book-study", "实用英语语法", "Practical English Grammar", "45.00", "55.00"),
    _book("book-study", "网页设计与编程入门", "Web Design and Programming", "55.00", "69.00"),
    _book("book-study", "托福雅思口语突破", "TOEFL & IELTS Speaking", "48.00", "58.00"),
    # Health & lifestyle
    _book("book-lifestyle", "中医养生一本通", "Traditional Chinese Health Care", "39.00", "49.80"),
    _book("book-lifestyle", "家常菜谱三百例", "300 Home Recipes", "32.00", "39.80", "eco"),
    _book("book-lifestyle", "小户型收纳与装修", "Storage for Small Homes", "45.00", "58.00"),
    _book("book-lifestyle", "美容护肤全书", "The Skincare Book", "42.00", "52.00"),
    _book("book-lifestyle", "瑜伽与健康", "Yoga and Health", "36.00", "45.00"),
    _book("book-lifestyle", "穴位保健图解", "Acupoint Care Illustrated", "29.80", "38.00"),
    # Laptops
    _laptop(
        "laptops",
        "轻薄商务笔记本 14英寸",
        'Slim business laptop 14"',
        "standard",
        (("i5/8G/512G", "4599.00", "4999.00"), ("i7/16G/1T", "5999.00", "6499.00")),
    ),  # fmt: skip
    _laptop(
        "laptops",
        "高性能独显笔记本 15.6英寸",
        'Performance laptop 15.6" with GPU',
        "premium",
        (("i7/16G/512G 独显", "7299.00", "7999.00"), ("i9/32G/1T 独显", "9499.00", "9999.00")),
    ),  # fmt: skip
    _laptop(
        "laptops",
        "学生笔记本 15.6英寸",
        'Student laptop 15.6"',
        "budget",
        (("i3/8G/256G", "2999.00", "3299.00"), ("i5/8G/512G", "3599.00", "3899.00")),
    ),  # fmt: skip
    _laptop(
        "laptops",
        "经典黑色商务本 14英寸",
        'Classic black business laptop 14"',
        "premium",
        (("i5/16G/512G", "6299.00", "6899.00"), ("i7/32G/1T", "8299.00", "8999.00")),
        "premium",
    ),  # fmt: skip
    _laptop(
        "laptops",
        "家用影音笔记本 15.6英寸",
        'Home entertainment laptop 15.6"',
        "standard",
        (("i5/8G/512G", "3999.00", "4399.00"),),
    ),  # fmt: skip
    _laptop(
        "laptops",
        "超极本 13.3英寸",
        'Ultrabook 13.3"',
        "premium",
        (("i7/16G/512G", "6999.00", "7499.00"),),
        "premium",
        "gift_box",
    ),  # fmt: skip
    _laptop(
        "laptops",
        "环保再生铝笔记本 14英寸",
        'Recycled-aluminium laptop 14"',
        "standard",
        (("i5/16G/512G", "4999.00", "5299.00"),),
        "eco",
    ),  # fmt: skip
    _laptop(
        "laptops",
        "入门办公笔记本 14英寸",
        'Entry office laptop 14"',
        "budget",
        (("N100/8G/256G", "2299.00", "2599.00"),),
    ),  # fmt: skip
    # Netbooks
    _laptop(
        "netbooks",
        "10.1英寸上网本",
        '10.1" netbook',
        "budget",
        (("白色 4G/128G", "1699.00", "1899.00"), ("黑色 4G/128G", "1699.00", "1899.00")),
    ),  # fmt: skip
    _laptop(
        "netbooks", "8.9英寸迷你上网本", '8.9" mini netbook', "budget", (("4G/64G", "1399.00", "1599.00"),)
    ),
    _laptop(
        "netbooks",
        "长续航上网本 11.6英寸",
        'Long-battery netbook 11.6"',
        "standard",
        (("8G/256G", "2399.00", "2699.00"),),
    ),  # fmt: skip
    _laptop(
        "netbooks",
        "粉色上网本 10.1英寸",
        'Pink netbook 10.1"',
        "standard",
        (("4G/128G", "1899.00", "2099.00"),),
        "gift_box",
    ),  # fmt: skip
    # Computer accessories (no review in the corpus is about them alone)
    _one("computer-accessories", "无线静音鼠标", "Silent wireless mouse", "budget", "59.00", "79.00"),
    _one(
        "computer-accessories", "笔记本内胆包 14英寸", 'Laptop sleeve 14"', "budget", "69.00", "89.00", "eco"
    ),
    _one("computer-accessories", "笔记本散热底座", "Laptop cooling pad", "standard", "99.00", "129.00"),
    _one("computer-accessories", "多口USB扩展坞", "USB hub dock", "standard", "159.00", "199.00"),
    _one("computer-accessories", "机械键盘", "Mechanical keyboard", "premium", "299.00", "369.00", "premium"),
    _one("computer-accessories", "屏幕清洁套装", "Screen cleaning kit", "budget", "29.00", "39.00", "eco"),
    # City business hotels
    _hotel(
        "hotel-city",
        "城市中心商务酒店",
        "City centre business hotel",
        "standard",
        "398.00",
        "468.00",
        "528.00",
    ),
    _hotel(
        "hotel-city",
        "火车站商务酒店",
        "Railway station business hotel",
        "standard",
        "298.00",
        "358.00",
        "398.00",
    ),
    _hotel(
        "hotel-city",
        "国际五星大酒店",
        "International five-star hotel",
        "premium",
        "888.00",
        "1088.00",
        "1288.00",
        "premium",
    ),  # fmt: skip
    _hotel(
        "hotel-city",
        "会展中心四星酒店",
        "Convention centre four-star hotel",
        "standard",
        "498.00",
        "588.00",
        "658.00",
    ),  # fmt: skip
    _hotel("hotel-city", "机场酒店", "Airport hotel", "standard", "358.00", "428.00", "468.00"),
    _hotel(
        "hotel-city",
        "老城区精品酒店",
        "Old-town boutique hotel",
        "premium",
        "568.00",
        "668.00",
        "768.00",
        "gift_box",
    ),  # fmt: skip
    # Resort hotels
    _hotel(
        "hotel-resort",
        "海景度假酒店",
        "Sea-view resort",
        "premium",
        "988.00",
        "1188.00",
        "1388.00",
        "premium",
    ),
    _hotel(
        "hotel-resort", "温泉山庄", "Hot-spring lodge", "premium", "768.00", "898.00", "998.00", "gift_box"
    ),
    _hotel("hotel-resort", "湖景度假酒店", "Lakeside resort", "standard", "598.00", "698.00", "798.00"),
    _hotel(
        "hotel-resort",
        "生态山居民宿",
        "Eco mountain guesthouse",
        "standard",
        "468.00",
        "548.00",
        "598.00",
        "eco",
    ),
    _hotel("hotel-resort", "古镇度假客栈", "Old-town inn", "budget", "268.00", "328.00", "358.00"),
    _hotel(
        "hotel-resort", "亲子主题度假酒店", "Family-themed resort", "premium", "1088.00", "1288.00", "1488.00"
    ),
    # Budget hotels
    _hotel("hotel-budget", "快捷连锁酒店", "Budget chain hotel", "budget", "168.00", "198.00", "219.00"),
    _hotel(
        "hotel-budget",
        "经济型酒店（地铁口）",
        "Budget hotel by the metro",
        "budget",
        "188.00",
        "228.00",
        "239.00",
    ),
    _hotel(
        "hotel-budget", "绿色商旅酒店", "Green budget hotel", "budget", "158.00", "188.00", "198.00", "eco"
    ),
    _hotel(
        "hotel-budget", "智能自助酒店", "Self-service smart hotel", "budget", "218.00", "258.00", "268.00"
    ),
    # Kits: one SKU made of parts; their stock is derived from the parts
    ProductSpec(
        "netbooks",
        "上网本开学套装（上网本+鼠标+内胆包）",
        "Back-to-school netbook kit (netbook, mouse, sleeve)",
        (VariantSpec("套装", "standard", "1749.00", "1827.00"),),
        ("gift_box",),
        bundle_of=(("10.1英寸上网本", 0, 1), ("无线静音鼠标", 0, 1), ("笔记本内胆包 14英寸", 0, 1)),
    ),
    ProductSpec(
        "book-children",
        "经典童话绘本礼盒（3册）",
        "Fairy-tale picture book gift box (3 books)",
        (VariantSpec("礼盒装", "premium", "79.00", "81.80"),),
        ("gift_box", "eco"),
        bundle_of=(("小熊晚安绘本（0-3岁）", 0, 1), ("世界经典童话", 0, 1), ("草地上的学校", 0, 1)),
    ),
)


# What a review must mention to sit on one particular product rather than anywhere in its category
# (a review of a biography goes on the history book, not on the mystery novel). Reviews that match no
# product's cues may sit on any product of their category that has no cues of its own or on one that
# ran out of its own reviews.
REVIEW_CUES: dict[str, str] = {
    "迷雾庄园（悬疑小说）": r"悬疑|推理|侦探|凶手|犯罪|破案|谋杀|吸血鬼",
    "四季诗选": r"诗",
    "纸上故乡（散文集）": r"散文|随笔|乡愁|故乡",
    "历史的褶皱": r"历史|传记|往事|朝代|三国|明朝|清朝|康熙",
    "名著典藏：红楼梦": r"名著|红楼|经典|四大",
    "江湖夜雨十年灯": r"武侠|江湖|金庸|古龙",
    "青春散场之前": r"青春|校园|中学|大学|初恋",
    "雪落南城": r"爱情|恋爱|感情|婚姻",
    "个人理财第一课": r"理财|投资|股票|基金|财富",
    "看懂经济危机": r"危机|经济学|经济",
    "销售就是要赢": r"销售|营销|客户|推销",
    "从零开始创业": r"创业|老板|企业家",
    "职场升职手记": r"职场|升职|杜拉拉|上司|白领|外企|面试",
    "管理者的二十堂课": r"管理|领导|团队",
    "儿童数学启蒙（3-4岁）": r"数学|算|数字",
    "世界经典童话": r"童话|公主|王子|安徒生|格林",
    "十万个为什么（少儿彩图版）": r"为什么|科普|知识|百科|科学",
    "正面管教：育儿手册": r"育儿|父母|家长|教育|管教|家庭",
    "好习惯养成故事（全8册）": r"习惯|套书|一套|全套",
    "宝宝认知洞洞书": r"洞洞|认知|翻翻|一岁|两岁|1岁|2岁",
    "小熊晚安绘本（0-3岁）": r"晚安|睡前|睡觉|小熊",
    "少年成长小说系列": r"成长|少年|小学|初中",
    "英语核心词汇随身记": r"单词|词汇|背",
    "大学英语四六级真题详解": r"四级|六级|真题|考试",
    "考研数学复习全书": r"考研|数学|复习",
    "实用英语语法": r"语法|句子|句型",
    "网页设计与编程入门": r"(?i)编程|程序|网页|设计|css|java|代码|软件",
    "托福雅思口语突破": r"(?i)托福|雅思|口语|留学|toefl|ielts",
    "中医养生一本通": r"中医|养生|经络",
    "家常菜谱三百例": r"菜|食谱|厨|做饭|烹饪",
    "小户型收纳与装修": r"收纳|装修|家居|居室",
    "美容护肤全书": r"美容|护肤|化妆|皮肤|时尚",
    "瑜伽与健康": r"瑜伽|健身|减肥|运动",
    "穴位保健图解": r"穴位|经穴|按摩|图解",
    "经典黑色商务本 14英寸": r"(?i)thinkpad|小黑|ibm|联想|商务",
    "高性能独显笔记本 15.6英寸": r"游戏|独显|独立显卡|显卡|3d",
    "学生笔记本 15.6英寸": r"学生|便宜|性价比|入门",
    "超极本 13.3英寸": r"轻薄|便携|13寸|13\.3|很轻",
    "家用影音笔记本 15.6英寸": r"电影|音箱|影音|高清|音质",
    "粉色上网本 10.1英寸": r"粉色|粉红|女生|女孩|老婆|女朋友",
    "8.9英寸迷你上网本": r"8\.9|迷你|9寸",
    "长续航上网本 11.6英寸": r"续航|电池|待机",
    "国际五星大酒店": r"五星|喜来登|希尔顿|万豪|香格里拉|豪华",
    "火车站商务酒店": r"火车站|车站|高铁",
    "机场酒店": r"机场|航班|飞机",
    "会展中心四星酒店": r"会议|会展|展会|四星",
    "老城区精品酒店": r"老城|古城|精品|老街",
    "海景度假酒店": r"海|沙滩|三亚|海滩",
    "温泉山庄": r"温泉|山庄",
    "湖景度假酒店": r"湖",
    "生态山居民宿": r"山|民宿|农家|空气",
    "古镇度假客栈": r"古镇|客栈|丽江|阳朔|凤凰",
    "亲子主题度假酒店": r"孩子|亲子|小孩|儿童|宝宝",
    "快捷连锁酒店": r"如家|汉庭|锦江|莫泰|7天|七天|连锁",
    "经济型酒店（地铁口）": r"地铁",
}
