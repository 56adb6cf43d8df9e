"""Deterministic, plausible Chinese names with their pinyin (for e-mail addresses)."""

from __future__ import annotations

import random

SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("林", "lin"), ("高", "gao"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("萧", "xiao"), ("田", "tian"), ("董", "dong"),
    ("潘", "pan"), ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"),
]  # fmt: skip

GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"),
    ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("婷", "ting"),
    ("建国", "jianguo"), ("志强", "zhiqiang"), ("海燕", "haiyan"), ("文博", "wenbo"),
    ("晓东", "xiaodong"), ("嘉怡", "jiayi"), ("子涵", "zihan"), ("宇航", "yuhang"),
    ("思远", "siyuan"), ("雨欣", "yuxin"), ("俊杰", "junjie"), ("佳琪", "jiaqi"),
    ("国栋", "guodong"), ("春梅", "chunmei"), ("立新", "lixin"), ("文静", "wenjing"),
    ("浩然", "haoran"), ("一鸣", "yiming"), ("雅婷", "yating"), ("振华", "zhenhua"),
]  # fmt: skip


class NameMaker:
    """Yields unique (full name, e-mail local part) pairs from a seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seen_names: set[str] = set()
        self.seen_locals: set[str] = set()

    def next(self) -> tuple[str, str]:
        for _ in range(50):
            surname, s_py = self.rng.choice(SURNAMES)
            given, g_py = self.rng.choice(GIVEN)
            full = surname + given
            if full not in self.seen_names:
                break
        self.seen_names.add(full)
        local = f"{g_py}.{s_py}"
        if local in self.seen_locals:
            n = 2
            while f"{local}{n}" in self.seen_locals:
                n += 1
            local = f"{local}{n}"
        self.seen_locals.add(local)
        return full, local

    def mobile(self, index: int) -> str:
        """A unique 13x mobile number: the index keeps it unique, the prefix looks real."""
        return f"13{self.rng.randint(0, 9)}{self.rng.randint(0, 9999):04d}{index:04d}"
