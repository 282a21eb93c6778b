"""Pinyin search keys for Chinese names: “zs”, “zhangsan”, “zhangs”, “zsan” all find 张三.

A name becomes a few *readings* (one syllable list each, without tones, ü written v): the
surname read as a surname (曾 zeng, not ceng; 尉迟 yuchi), every other character with its most
common reading and, for polyphonic characters (乐 le/yue), the next one too. The alternatives are
capped (``MAX_CHAR_READINGS`` per character, ``MAX_READINGS`` per name) so that a long name or a
name full of polyphones stays a handful of strings. Each reading gives its *forms*: every mix of
full syllables and initials (zhangsan, zs, zsan, zhangs…, all of them for up to
``MIXED_UP_TO`` syllables; full, initials and two mixes for longer names). A query matches a name
when it is a prefix of one of its forms, which the roster scan checks with one substring test on
``search_key`` (the forms joined, each after a ``\\x00``).

pypinyin (0.55) has no surname mode (its issues #120 and #297 ask for one): the surname readings
are the table below, the rest comes from pypinyin's per-character readings. pypinyin loads its
dictionary on first use (about half a second), so it is imported lazily.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable

MAX_CHAR_READINGS = 2  # a polyphonic character's readings: its first two in pypinyin's order
MAX_READINGS = 4  # readings of one name: the usual one first, then one character read otherwise…
MIXED_UP_TO = 4  # syllables up to which every full/initial mix is a form (2**4 = 16 per reading)

# Single-character surnames whose surname reading is not (only) the character's usual one.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "区": ("ou",), "仇": ("qiu",), "解": ("xie",), "朴": ("piao",),
    "查": ("zha",), "盖": ("ge", "gai"), "乐": ("yue", "le"), "翟": ("zhai", "di"), "覃": ("qin", "tan"),
    "牟": ("mou", "mu"), "缪": ("miao",), "种": ("chong",), "重": ("chong",), "繁": ("po",), "秘": ("bi",),
    "冼": ("xian",), "洗": ("xian",), "折": ("she",), "那": ("na",), "粘": ("nian",), "藏": ("zang",),
    "都": ("du",), "六": ("lu",), "陆": ("lu",), "薄": ("bo",), "柏": ("bai",), "乜": ("nie",), "阚": ("kan",),
    "叶": ("ye",), "沈": ("shen",), "宿": ("su",), "卜": ("bu",), "召": ("shao",), "隗": ("wei", "kui"),
    "尉": ("wei",), "句": ("gou",), "莘": ("shen", "xin"), "员": ("yun",), "车": ("che",), "殷": ("yin",),
    "郇": ("huan", "xun"), "能": ("nai",), "尚": ("shang",), "贾": ("jia",), "长": ("chang",), "石": ("shi",),
    "行": ("xing", "hang"), "朝": ("chao",), "阿": ("a",), "艾": ("ai",), "占": ("zhan",), "蔚": ("yu", "wei"),
    "华": ("hua",), "强": ("qiang",), "传": ("chuan",), "和": ("he",), "广": ("guang",), "祭": ("zhai",),
}

# Two-character surnames, read as surnames (长孙 zhangsun, not changsun).
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"), "乐正": ("yue", "zheng"), "令狐": ("ling", "hu"), "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"), "上官": ("shang", "guan"), "诸葛": ("zhu", "ge"), "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"), "慕容": ("mu", "rong"), "公孙": ("gong", "sun"), "夏侯": ("xia", "hou"),
    "宇文": ("yu", "wen"), "司徒": ("si", "tu"), "司空": ("si", "kong"), "端木": ("duan", "mu"),
    "呼延": ("hu", "yan"), "南宫": ("nan", "gong"), "轩辕": ("xuan", "yuan"), "闻人": ("wen", "ren"),
    "赫连": ("he", "lian"), "钟离": ("zhong", "li"), "淳于": ("chun", "yu"), "申屠": ("shen", "tu"),
    "独孤": ("du", "gu"), "拓跋": ("tuo", "ba"), "百里": ("bai", "li"), "东郭": ("dong", "guo"),
    "西门": ("xi", "men"), "太史": ("tai", "shi"), "仉督": ("zhang", "du"), "亓官": ("qi", "guan"),
    "公冶": ("gong", "ye"), "宗政": ("zong", "zheng"), "濮阳": ("pu", "yang"), "鲜于": ("xian", "yu"),
    "闾丘": ("lv", "qiu"), "左丘": ("zuo", "qiu"), "梁丘": ("liang", "qiu"), "第五": ("di", "wu"),
}

_LETTERS = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# What people type between syllables or for ü: “zhang san”, “xi'an”, “lü”, “lu:”.
_QUERY_DROP = str.maketrans({" ": None, "'": None, "’": None, "-": None, "ü": "v", "Ü": "v"})


def query(text: str) -> str:
    """The pinyin a search text stands for (lower case, ü as v), or "" when it is not pinyin."""
    q = text.strip().translate(_QUERY_DROP).lower().replace("u:", "v")
    return q if _LETTERS.fullmatch(q) else ""


@functools.cache
def char_readings(ch: str) -> tuple[str, ...]:
    """A Chinese character's readings without tones, the usual one first (at most ``MAX_CHAR_READINGS``)."""
    from pypinyin import Style, pinyin

    found = [r for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if _LETTERS.fullmatch(r)]
    out: list[str] = []
    for r in found[:MAX_CHAR_READINGS]:
        out.append(r)
        if r in ("lve", "nve"):  # IMEs take lue/nue for lüe/nüe as well
            out.append(r.replace("v", "u"))
    return tuple(dict.fromkeys(out))


def syllable_options(name: str) -> list[tuple[str, ...]]:
    """Per syllable of ``name``, its possible readings (usual first); surnames read as surnames.

    Latin letters in a name stay one syllable each run; the middle dot of minority names,
    spaces and other marks only separate syllables.
    """
    name = name.strip()
    options: list[tuple[str, ...]] = []
    rest = name
    is_han_name = "·" not in name and "•" not in name and bool(_CJK.match(name))
    if is_han_name:
        compound = COMPOUND_SURNAMES.get(name[:2]) if len(name) >= 3 else None
        if compound is not None:
            options.extend((s,) for s in compound)
            rest = name[2:]
        elif name[0] in SURNAME_READINGS:
            options.append(SURNAME_READINGS[name[0]])
            rest = name[1:]
    for piece in re.finditer(r"[A-Za-z]+|.", rest):
        token = piece.group()
        if token.isascii():
            if token.isalpha():
                options.append((token.lower(),))
        elif _CJK.match(token):
            readings = char_readings(token)
            if readings:
                options.append(readings)
    return options


def readings(name: str) -> list[tuple[str, ...]]:
    """Whole-name readings: the usual one, then one character read otherwise, then two…, capped."""
    options = syllable_options(name)
    if not options:
        return []
    primary = tuple(o[0] for o in options)
    out = [primary]
    varied = [i for i, o in enumerate(options) if len(o) > 1]
    for k in range(1, len(varied) + 1):
        for positions in itertools.combinations(varied, k):
            for alternatives in itertools.product(*(options[i][1:] for i in positions)):
                reading = list(primary)
                for i, alt in zip(positions, alternatives, strict=True):
                    reading[i] = alt
                out.append(tuple(reading))
                if len(out) >= MAX_READINGS:
                    return out
    return out


def _mixes(syllables: tuple[str, ...]) -> Iterable[str]:
    """Every way to type the syllables, each in full or by its first letter (capped for long names)."""
    if len(syllables) <= MIXED_UP_TO:
        yield from map("".join, itertools.product(*((s, s[0]) for s in syllables)))
        return
    yield "".join(syllables)
    yield "".join(s[0] for s in syllables)
    yield syllables[0] + "".join(s[0] for s in syllables[1:])
    yield syllables[0][0] + "".join(syllables[1:])


def forms(name: str) -> tuple[str, ...]:
    """The strings a query may be a prefix of: all readings, each in full, by initials and mixed."""
    return tuple(dict.fromkeys(form for reading in readings(name) for form in _mixes(reading)))


@functools.lru_cache(maxsize=65536)
def search_key(name: str) -> str:
    """``forms`` joined, each after a ``\\x00``: ``"\\x00" + query(text) in search_key(name)`` is the match."""
    found = forms(name)
    return "\x00" + "\x00".join(found) if found else ""


def matches(text: str, name: str) -> bool:
    """Whether ``text``, typed as pinyin (initials, full or mixed), finds ``name``."""
    q = query(text)
    return bool(q) and "\x00" + q in search_key(name)
