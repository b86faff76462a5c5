"""Mask personal data in customer text before anyone sees it (console, report, API, exports).

Feedback is stored raw (classification needs the words); `mask()` runs on every way out. What it
hides: mobile and landline numbers, Chinese resident ID numbers, email addresses, postal addresses
(省/市/区/路/号 patterns and English street addresses) and names given after 我是/我叫/I am/my name is.
"""

from __future__ import annotations

import re

_CJK = "\u4e00-\u9fff"

# An 18-digit resident ID (with a plausible birth date; last char may be X) or the older 15-digit form.
_ID_18 = re.compile(
    r"(?<![0-9])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_ID_15 = re.compile(r"(?<![0-9])\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0\d{2,3})[ -](\d{7,8})(?![0-9])")
_INTERNATIONAL = re.compile(r"(?<![0-9\w])\+\d{1,3}[ -]?\(?\d{1,4}\)?(?:[ -]?\d{2,4}){2,4}(?![0-9])")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")

# Chinese addresses: at least two administrative parts, or a road/street with a house number.
_ADMIN = rf"[{_CJK}]{{1,7}}?(?:省|自治区|特别行政区)|[{_CJK}]{{1,6}}?市|[{_CJK}]{{1,6}}?(?:区|县|镇|乡)"
_ROAD = rf"[{_CJK}A-Za-z0-9]{{1,10}}?(?:路|街|大道|道|巷|弄|胡同)"
_HOUSE = r"[0-9一二三四五六七八九十百零〇]+\s*(?:号院|号楼|号|弄|栋|幢)(?:[0-9A-Za-z一二三四五六七八九十]+\s*(?:单元|栋|幢|室|楼|层|号))*"
_ADDRESS_CN = re.compile(
    rf"(?:(?:{_ADMIN}){{2,}}(?:{_ROAD})?(?:{_HOUSE})?|(?:{_ADMIN})?(?:{_ROAD})(?:{_HOUSE}))"
)
_ADDRESS_EN = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct)\b\.?",
)

# Names: a common surname plus one or two characters after 我是/我叫/本人, or capitalised words after
# "I am" / "I'm" / "my name is" / "this is".
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_NAME_CN_CALLED = re.compile(rf"(我叫|我的名字是|我的名字叫|本人姓名)\s*[:：]?\s*([{_CJK}]{{2,3}})")
_NAME_CN_AM = re.compile(rf"(我是|本人是|本人)\s*([{_SURNAMES}][{_CJK}]{{1,2}})(?=[，。,.!！?？\s]|$)")
_NAME_EN = re.compile(r"(?i:\b(I am|I'm|my name is|this is))\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")

PHONE = "phone"
ID_NUMBER = "id_number"
EMAIL = "email"
ADDRESS = "address"
NAME = "name"


def _mask_mobile(match: re.Match) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def _mask_email(match: re.Match) -> str:
    return f"{match.group(1)}***@{match.group(2)}"


def mask(text: str | None) -> str:
    """The text with personal data replaced; safe to show to staff and to export."""
    if not text:
        return ""
    text = _EMAIL.sub(_mask_email, text)
    text = _ID_18.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], text)
    text = _ID_15.sub(lambda m: m.group(0)[:4] + "*" * 8 + m.group(0)[-3:], text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****" + m.group(2)[-2:], text)
    text = _INTERNATIONAL.sub("[电话]", text)
    text = _ADDRESS_CN.sub("[地址]", text)
    text = _ADDRESS_EN.sub("[address]", text)
    text = _NAME_CN_CALLED.sub(lambda m: f"{m.group(1)}{m.group(2)[0]}*", text)
    text = _NAME_CN_AM.sub(lambda m: f"{m.group(1)}{m.group(2)[0]}*", text)
    text = _NAME_EN.sub(lambda m: f"{m.group(1)} [name]", text)
    return text


def found(text: str | None) -> set[str]:
    """Which kinds of personal data the text contains (for audits and tests)."""
    if not text:
        return set()
    kinds = set()
    if _EMAIL.search(text):
        kinds.add(EMAIL)
    if _ID_18.search(text) or _ID_15.search(text):
        kinds.add(ID_NUMBER)
    without_ids = _ID_15.sub("", _ID_18.sub("", text))
    if _MOBILE.search(without_ids) or _LANDLINE.search(without_ids) or _INTERNATIONAL.search(without_ids):
        kinds.add(PHONE)
    if _ADDRESS_CN.search(text) or _ADDRESS_EN.search(text):
        kinds.add(ADDRESS)
    if _NAME_CN_CALLED.search(text) or _NAME_CN_AM.search(text) or _NAME_EN.search(text):
        kinds.add(NAME)
    return kinds
