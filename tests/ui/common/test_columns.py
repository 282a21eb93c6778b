"""Fitting table columns to their content within the view's width (the arithmetic, no widgets)."""

from __future__ import annotations

from ui.common.columns import Column, fit, widths


def test_columns_that_fit_get_their_content_and_maxima_hold():
    cols = [Column(100, 40), Column(300, 40, maximum=150), Column(80, 60)]
    assert fit(cols, 1000) == [100, 150, 80]


def test_rare_long_values_give_way_first_then_the_elastic_columns_then_the_rest():
    name = Column(160, 50, maximum=170, typical=60)  # one long minority name among short ones
    number = Column(140, 80, keep=True)
    phone = Column(90, 70, elastic=True)
    klass = Column(150, 50)
    # 540 wanted: the long name goes to its typical width first (100 taken).
    assert fit([name, number, phone, klass], 440) == [60, 140, 90, 150]
    # Then the phone down to its title.
    assert fit([name, number, phone, klass], 420) == [60, 140, 70, 150]
    # Then the others in proportion to their room; the kept number last.
    w = fit([name, number, phone, klass], 330)
    assert sum(w) == 330 and w[1] == 140 and w[0] < 60 and w[3] < 150
    assert fit([name, number, phone, klass], 300) == [50, 130, 70, 50]
    # Never below the titles: the titles' sum is the floor.
    assert fit([name, number, phone, klass], 100) == [50, 80, 70, 50]


def test_room_left_goes_back_to_the_grow_columns_up_to_their_content():
    name = Column(160, 50, maximum=120, typical=60)
    other = Column(100, 50)
    assert fit([name, other], 400, grow=[0]) == [160, 100]
    assert fit([name, other], 240, grow=[0]) == [140, 100]


def test_widths_measures_the_widest_and_the_typical_text():
    texts = ["张三"] * 95 + ["阿卜杜热依木·买买提艾力"] * 5
    widest, typical = widths(texts, len)
    assert (widest, typical) == (12, 2)
    assert widths([], len) == (0, 0)
    # A column mostly empty (failed courses, to-dos): what most rows need is nothing.
    assert widths([""] * 96 + ["高等数学、大学英语"] * 4, len) == (9, 0)
    many = [f"名{i:05d}" for i in range(5000)] + ["很长很长很长很长的名字"]
    assert widths(many, len)[0] == 11
