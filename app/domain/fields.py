"""Normalisation and checks for the simple candidate fields (names, phones, genders, categories…)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from app.errors import ValidationError

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋－（）", "0123456789+-()")
_NAME_DOTS = "·•・‧∙⋅●．･﹒"  # the dots people type for the middle dot of minority names

CATEGORIES = ("普通考生", "原建档立卡考生", "退役大学生士兵", "获奖考生")
_CATEGORY_ALIASES = {
    "普通": "普通考生",
    "普通类": "普通考生",
    "普通考生": "普通考生",
    "一般": "普通考生",
    "建档立卡": "原建档立卡考生",
    "原建档立卡": "原建档立卡考生",
    "建档立卡考生": "原建档立卡考生",
    "原建档立卡考生": "原建档立卡考生",
    "建档立卡贫困家庭": "原建档立卡考生",
    "建档立卡户": "原建档立卡考生",
    "原建档立卡户": "原建档立卡考生",
    "退役士兵": "退役大学生士兵",
    "退役大学生士兵": "退役大学生士兵",
    "退役大学生士兵考生": "退役大学生士兵",
    "退役军人": "退役大学生士兵",
    "获奖": "获奖考生",
    "获奖考生": "获奖考生",
    "技能大赛获奖": "获奖考生",
    "技能大赛获奖考生": "获奖考生",
}
GENDERS = ("男", "女")
_GENDER_ALIASES = {"男": "男", "男性": "男", "男生": "男", "m": "男", "male": "男", "1": "男",
                   "女": "女", "女性": "女", "女生": "女", "f": "女", "female": "女", "2": "女"}
ART_SPORTS = ("", "艺术", "体育")
_ART_ALIASES = {"": "", "否": "", "无": "", "非艺体": "", "普通": "",
                "艺术": "艺术", "艺术类": "艺术", "美术": "艺术", "音乐": "艺术", "舞蹈": "艺术",
                "体育": "体育", "体育类": "体育"}
AWARD_LEVELS = ("", "国家级一等奖", "国家级二等奖", "国家级三等奖", "省级一等奖")


_WS = re.compile(r"[\s\u3000]+")
_PLAIN_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}")
_LATIN_NAME = re.compile(r"[A-Za-z]+(?:[ \u3000]+[A-Za-z]+)+")
# Not allowed in a name: anything but CJK ideographs (basic, extension A, compatibility and the
# supplementary planes' extensions B–H, where names such as 王𬌗 live), Latin letters and the dot.
_NAME_CHARS = re.compile("[^\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f·A-Za-z]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
_PHONE_JUNK = re.compile(r"[\s()\-—–－]+")


_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")
# Characters that show as nothing: copied from web pages and chat messages into cells.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
# Control characters: C0 (but tab and line breaks), DEL, C1 and the bidirectional overrides and
# isolates (U+202E shows “lanac” for “canal”). Stored, they make a name or class read other than
# it is; they are removed, and the import names the cells where it did so.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u202a-\u202e\u2066-\u2069]")


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character that ``clean_text`` removes (see ``_CONTROL``)."""
    return _CONTROL.search(text) is not None


def clean_text(value: object) -> str:
    """Cell or field text with surrounding white space (incl. full-width), invisible and control
    characters removed."""
    if value is None:
        return ""
    if type(value) is str:
        # isprintable() is one C-level pass and true for nearly every cell: the regexes run rarely.
        if not value.isprintable():
            if _CONTROL.search(value):
                value = _CONTROL.sub("", value.replace("\t", " "))
            if not value.isascii() and _INVISIBLE.search(value):
                value = _INVISIBLE.sub("", value)
        text = value.strip()
        if "\u3000" in text or "\u00a0" in text:
            text = text.replace("\u3000", " ").replace("\u00a0", " ")
        if "\n" in text or "\r" in text:
            # A line break typed into a cell (Alt+Enter) to fit the column: “计算机\n2201班”.
            text = _LINE_BREAK.sub(lambda m: " " if m.string[m.start() - 1:m.start()].isascii() else "", text)
        return text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").replace("\u00a0", " ").strip()


_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")


def is_scientific(text: str) -> bool:
    """“4.10302199003071E+17”, “2.02201E+11”: a long number a spreadsheet turned into text in
    scientific notation; its last digits are gone."""
    return bool(_SCIENTIFIC.fullmatch(text))


def student_no(value: object) -> str:
    """学号 as stored and matched: full-width letters and digits made ASCII, spaces removed, the
    apostrophe that keeps a number as text and a “.0” a number cell gained dropped."""
    text = clean_text(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.replace(" ", "").lstrip("'’‘")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def name(value: object) -> str:
    """Remove the spaces lists use to align two-character names; keep a minority name's dot."""
    text = clean_text(value)
    if _PLAIN_NAME.fullmatch(text):
        return text
    if _LATIN_NAME.fullmatch(text):
        return " ".join(text.split())  # “Aygul Mamat”: the space between the words stays
    text = _WS.sub("", text)
    for dot in _NAME_DOTS:
        text = text.replace(dot, "·")
    text = text.replace(".", "·") if re.search(r"[\u4e00-\u9fff]\.[\u4e00-\u9fff]", text) else text
    if not text:
        raise ValidationError("姓名为空。", "name")
    if re.search(r"\d", text):
        raise ValidationError(f"姓名“{text}”中含有数字。", "name")
    if _NAME_CHARS.search(text):
        raise ValidationError(f"姓名“{text}”中含有不允许的字符。", "name")
    if text.startswith("·") or text.endswith("·") or "··" in text:
        raise ValidationError(f"姓名“{text}”中的间隔号位置不对。", "name")
    if len(text) > 30:
        raise ValidationError("姓名过长（超过 30 个字）。", "name")
    if len(text) < 2:
        raise ValidationError(f"姓名“{text}”只有一个字，请核对（不能填“无”或缩写）。", "name")
    return text


def gender(value: object) -> str:
    text = clean_text(value).lower()
    if text in _GENDER_ALIASES:
        return _GENDER_ALIASES[text]
    raise ValidationError(f"性别“{clean_text(value)}”无法识别，请填写“男”或“女”。", "gender")


def gender_or_blank(value: object) -> str:
    """``gender`` where a blank cell is allowed (the ID number says it): "" for blank."""
    return gender(value) if clean_text(value) else ""


def phone(value: object, required: bool = False) -> str:
    """Mainland mobile numbers (11 digits starting with 1) or landlines with area code."""
    text = clean_text(value).lstrip("'’‘")
    if not text and not required:
        return ""
    if _MOBILE.fullmatch(text):
        return text
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # “13803712203.0”: a number cell turned into text
    text = _PHONE_JUNK.sub("", text.translate(_FULLWIDTH_DIGITS))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and _MOBILE.fullmatch(text[2:]):
        text = text[2:]  # “86-13803710008”: the country code written without the plus
    if not text:
        if required:
            raise ValidationError("联系电话为空。", "phone")
        return ""
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    if text.isdigit() and len(text) != 11:
        raise ValidationError(f"联系电话“{clean_text(value)}”应为 11 位手机号，现为 {len(text)} 位。", "phone")
    raise ValidationError(f"联系电话“{clean_text(value)}”不是有效的手机号或固定电话。", "phone")


def category(value: object) -> str:
    text = clean_text(value)
    if text in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[text]
    text = _WS.sub("", text)
    if not text:
        return "普通考生"
    if text in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[text]
    raise ValidationError(
        f"考生类别“{text}”无法识别，应为：{'、'.join(CATEGORIES)}。", "category"
    )


def art_sports(value: object) -> str:
    text = _WS.sub("", clean_text(value))
    if text in _ART_ALIASES:
        return _ART_ALIASES[text]
    raise ValidationError(f"艺体类别“{text}”无法识别，应为空、“艺术”或“体育”。", "art_sports")


def award_level(value: object) -> str:
    text = _WS.sub("", clean_text(value))
    if not text:
        return ""
    aliases = {"国一": "国家级一等奖", "国二": "国家级二等奖", "国三": "国家级三等奖", "省一": "省级一等奖",
               "国家一等奖": "国家级一等奖", "国家二等奖": "国家级二等奖", "国家三等奖": "国家级三等奖",
               "省一等奖": "省级一等奖"}
    text = aliases.get(text, text)
    if text in AWARD_LEVELS:
        return text
    raise ValidationError(f"获奖等级“{text}”无法识别，应为：{'、'.join(a for a in AWARD_LEVELS if a)}。",
                          "award_level")


def parse_date(value: object, field: str, label: str) -> dt.date | None:
    """Dates as spreadsheets and people write them: 2021-09-01, 2021/9/1, 2021.9, 20210901, 2021年9月."""
    if value is None or value == "":
        return None
    if type(value) is dt.date:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value).replace(" ", "")  # “2003 年 11 月 19 日”
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?", text)
    if not m:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            pass
    raise ValidationError(f"{label}“{text}”不是有效日期，请写成 2021-09-01 的形式。", field)


# The 56 ethnic groups, as “汉” is written short for “汉族” (“其他”, “外籍” are left as written).
ETHNIC_GROUPS = frozenset((
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎",
    "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲",
    "门巴", "珞巴", "基诺",
))


def ethnicity(text: str) -> str:
    """“汉” → “汉族”; anything else as written."""
    return f"{text}族" if text in ETHNIC_GROUPS else text
