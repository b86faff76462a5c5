"""Personal data in feedback text is masked before it is shown anywhere."""

import pytest

from loopmall.insight import pii


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("有问题打我电话13812345678谢谢", "13812345678"),
        ("call me on +86 139 1234 5678 please", "1234 5678"),
        ("电话 138-1234-5678", "138-1234-5678"),
        ("座机 021-62345678 找我", "62345678"),
    ],
)
def test_phone_numbers_are_masked(text, secret):
    masked = pii.mask(text)
    assert secret not in masked
    assert pii.PHONE in pii.found(text)


def test_mobile_keeps_prefix_and_suffix_for_staff_to_recognise():
    assert pii.mask("13812345678") == "138****5678"


@pytest.mark.parametrize("number", ["11010519491231002X", "440524198001010013", "110105491231002"])
def test_chinese_id_numbers_are_masked(number):
    masked = pii.mask(f"身份证号{number}，退款请核实")
    assert number not in masked
    assert masked.startswith("身份证号" + number[:4] + "*")  # only the head and tail stay
    assert number[-3:] in masked
    assert pii.ID_NUMBER in pii.found(f"身份证号{number}")


def test_id_number_is_not_mistaken_for_a_phone():
    assert pii.found("身份证 11010519491231002X") == {pii.ID_NUMBER}


def test_emails_are_masked():
    masked = pii.mask("发票请发到 zhang.san@example.com 或 li@qq.com")
    assert "zhang.san@" not in masked
    assert "z***@example.com" in masked
    assert "l***@qq.com" in masked
    assert pii.EMAIL in pii.found("li@qq.com")


@pytest.mark.parametrize(
    "text",
    [
        "寄到浙江省杭州市西湖区文三路138号就行",
        "地址：上海市浦东新区世纪大道100号",
        "送到朝阳区建国路88号3单元502室",
        "ship it to 221 Baker Street please",
    ],
)
def test_addresses_are_masked(text):
    masked = pii.mask(text)
    assert "[地址]" in masked or "[address]" in masked
    assert not any(part in masked for part in ("文三路138号", "世纪大道100号", "建国路88号", "221 Baker"))
    assert pii.ADDRESS in pii.found(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("你好，我是张伟，订单没收到", "张伟"),
        ("我叫李小红。想退货", "李小红"),
        ("Hi, I am John Smith and the box was crushed", "John Smith"),
        ("my name is Alice, refund please", "Alice"),
    ],
)
def test_names_after_self_introduction_are_masked(text, name):
    masked = pii.mask(text)
    assert name not in masked
    assert pii.NAME in pii.found(text)


@pytest.mark.parametrize(
    "text",
    [
        "我是第一次买，包装很好",
        "I am very happy with it",
        "在超市买的同款更便宜",
        "质量不错，物流很快，客服态度好",
        "订单号 20231105 价格 59.9 元",
    ],
)
def test_ordinary_feedback_is_left_alone(text):
    assert pii.mask(text) == text
    assert pii.found(text) == set()


def test_empty_text():
    assert pii.mask("") == ""
    assert pii.mask(None) == ""
