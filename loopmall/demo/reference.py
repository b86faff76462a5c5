"""Reference data the demo simulator draws from: channels and their mix, demand rhythms, places,
names and what shoppers search for. Plain values only; `simulator.py` decides how they are used."""

ACQUISITION_CHANNELS = {
    "community": 20,
    "mini_shop": 14,
    "douyin": 17,
    "xiaohongshu": 13,
    "video_channel": 8,
    "live": 10,
    "referral": 12,
    "organic": 6,
}
# Where a customer places orders, by how they arrived.
ORDER_CHANNELS_BY_ACQUISITION = {
    "community": {"community": 50, "group_buy": 25, "storefront": 25},
    "mini_shop": {"storefront": 70, "group_buy": 15, "community": 15},
    "douyin": {"live": 50, "storefront": 35, "group_buy": 15},
    "video_channel": {"live": 40, "storefront": 45, "group_buy": 15},
    "live": {"live": 60, "storefront": 30, "group_buy": 10},
    "xiaohongshu": {"storefront": 65, "referral_link": 20, "live": 15},
    "referral": {"referral_link": 45, "storefront": 40, "group_buy": 15},
    "organic": {"storefront": 85, "group_buy": 10, "community": 5},
}
DOMAIN_WEIGHTS = {"books": 42, "hotels": 38, "computers": 20}
CATEGORY_WEIGHTS = {
    "books": {
        "book-fiction": 34,
        "book-children": 26,
        "book-business": 16,
        "book-study": 13,
        "book-lifestyle": 11,
    },
    "hotels": {"hotel-city": 60, "hotel-resort": 25, "hotel-budget": 15},
    "computers": {"laptops": 62, "netbooks": 38},
}
# Hour-of-day demand in the business time zone: a lunch bump and an evening peak.
HOURLY = (
    0.35, 0.18, 0.09, 0.05, 0.05, 0.08, 0.2, 0.45, 0.7, 0.85, 0.9, 0.95,
    1.15, 1.05, 0.85, 0.85, 0.9, 0.95, 1.05, 1.35, 1.65, 1.8, 1.5, 0.85,
)  # fmt: skip
# (month, day, peak multiplier, days of warm-up before it)
FESTIVALS = ((6, 18, 2.4, 3), (11, 11, 3.6, 4), (12, 12, 2.0, 2))

PROVINCES = (
    # province, weight, ((city, (districts...)), ...), postal prefix
    ("广东省", 12, (("广州市", ("天河区", "越秀区", "海珠区", "番禺区")), ("深圳市", ("南山区", "福田区", "宝安区", "龙岗区")), ("佛山市", ("禅城区", "南海区")), ("东莞市", ("南城街道", "松山湖"))), "51"),
    ("浙江省", 9, (("杭州市", ("西湖区", "上城区", "滨江区", "余杭区")), ("宁波市", ("鄞州区", "海曙区")), ("温州市", ("鹿城区", "瓯海区"))), "31"),
    ("江苏省", 9, (("南京市", ("鼓楼区", "玄武区", "建邺区")), ("苏州市", ("姑苏区", "工业园区", "吴中区")), ("无锡市", ("梁溪区", "滨湖区"))), "21"),
    ("上海市", 8, (("上海市", ("浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区")),), "20"),
    ("北京市", 7, (("北京市", ("朝阳区", "海淀区", "东城区", "丰台区")),), "10"),
    ("山东省", 6, (("济南市", ("历下区", "市中区")), ("青岛市", ("市南区", "崂山区", "黄岛区"))), "25"),
    ("四川省", 6, (("成都市", ("武侯区", "锦江区", "高新区", "青羊区")), ("绵阳市", ("涪城区",))), "61"),
    ("湖北省", 5, (("武汉市", ("武昌区", "江汉区", "洪山区")), ("宜昌市", ("西陵区",))), "43"),
    ("福建省", 4, (("福州市", ("鼓楼区", "台江区")), ("厦门市", ("思明区", "湖里区"))), "35"),
    ("河南省", 4, (("郑州市", ("金水区", "二七区", "郑东新区")),), "45"),
    ("湖南省", 4, (("长沙市", ("岳麓区", "芙蓉区", "天心区")),), "41"),
    ("陕西省", 3, (("西安市", ("雁塔区", "碑林区", "未央区")),), "71"),
    ("重庆市", 3, (("重庆市", ("渝中区", "江北区", "南岸区", "渝北区")),), "40"),
    ("天津市", 3, (("天津市", ("和平区", "南开区", "河西区")),), "30"),
    ("安徽省", 3, (("合肥市", ("蜀山区", "包河区")),), "23"),
    ("河北省", 3, (("石家庄市", ("长安区", "裕华区")),), "05"),
    ("辽宁省", 2, (("沈阳市", ("和平区", "沈河区")), ("大连市", ("中山区", "沙河口区"))), "11"),
    ("云南省", 2, (("昆明市", ("五华区", "盘龙区")),), "65"),
    ("广西壮族自治区", 2, (("南宁市", ("青秀区", "兴宁区")),), "53"),
    ("江西省", 2, (("南昌市", ("东湖区", "红谷滩区")),), "33"),
    ("海南省", 1, (("海口市", ("龙华区", "美兰区")), ("三亚市", ("吉阳区",))), "57"),
    ("黑龙江省", 1, (("哈尔滨市", ("南岗区", "道里区")),), "15"),
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲凤红建国晨阳欣怡子涵浩然梓轩雨桐思远佳琪宇航"
)
STREETS = (
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "长江路",
    "新华路",
    "文化路",
    "胜利路",
    "学府路",
    "科技路",
    "滨江大道",
)
ESTATES = (
    "阳光花园",
    "锦绣家园",
    "翠湖苑",
    "绿地小区",
    "金色港湾",
    "书香名邸",
    "幸福里",
    "滨江华府",
    "东方明珠苑",
    "丽景湾",
)
CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "京东物流", "韵达快递")
HOTEL_CARRIER = "电子凭证"
PAY_METHODS = ("wechat_pay", "alipay", "wechat_pay", "alipay", "union_pay")
REFUND_REASONS = {
    "books": ("书有破损", "买重复了", "印刷质量问题", "不想要了"),
    "computers": ("屏幕有坏点", "与描述不符", "开机故障", "不想要了"),
    "hotels": ("行程变更", "酒店无法入住", "计划取消", "重复预订"),
}
# What shoppers type: queries that find products, and ones the catalog cannot answer (latent demand).
SEARCHES_FOUND = {
    "book-fiction": ("小说", "悬疑小说", "散文", "名著", "诗集"),
    "book-business": ("理财", "职场", "创业", "经济学"),
    "book-children": ("绘本", "童话", "儿童书", "亲子阅读", "育儿"),
    "book-study": ("英语", "四六级", "考研", "语法", "编程入门"),
    "book-lifestyle": ("菜谱", "养生", "收纳", "瑜伽"),
    "laptops": ("笔记本电脑", "轻薄本", "游戏本", "商务本"),
    "netbooks": ("上网本", "迷你电脑", "学生电脑"),
    "computer-accessories": ("鼠标", "键盘", "散热底座", "内胆包"),
    "hotel-city": ("商务酒店", "机场酒店", "五星酒店"),
    "hotel-resort": ("海景酒店", "温泉", "度假酒店", "民宿"),
    "hotel-budget": ("快捷酒店", "经济型酒店", "青旅"),
}
SEARCHES_NOT_FOUND = (
    "可降解包装", "可降解", "上门安装", "上门维修", "平板电脑", "手机", "电子书阅读器", "儿童点读笔",
    "有声书", "亲子房 含早", "宠物友好酒店", "二手笔记本", "以旧换新", "绘本 英文原版", "机械键盘 静音 红轴",
    "电脑包 防水", "无障碍客房", "发票 专票",
)  # fmt: skip
# What people write with the social and service events (comments under the brand's posts, after-sales
# tickets by domain, the comment beside a satisfaction score).
POST_COMMENTS = (
    "这本看起来不错，已收藏", "有没有更便宜一点的版本？", "求链接", "送人合适吗？", "孩子会喜欢吗",
    "上次买的质量很好", "什么时候再开团", "能不能出个对比测评", "价格有点高", "已下单，期待",
    "包装能做成礼盒吗", "有没有环保一点的款",
)  # fmt: skip
TICKET_TEXTS = {
    "books": ("快递一直没到，想问下进度", "收到的书有折痕", "发票怎么开", "少发了一本", "能不能换成精装版"),
    "computers": ("电脑开机很慢，怎么处理", "充电器发热严重", "想问下保修怎么走", "键盘有个键不灵",
                  "驱动装不上"),
    "hotels": ("想改一下入住日期", "能不能加床", "预订后没收到确认短信", "想开发票", "可以提前入住吗"),
}  # fmt: skip
SURVEY_COMMENTS = {
    True: ("客服回复很快，问题解决了", "处理得很及时", "态度很好", "满意"),
    False: ("等了很久才有人回复", "问题没有彻底解决", "来回沟通太麻烦", "回复太慢了"),
}
