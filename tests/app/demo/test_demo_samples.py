"""The demo's sample reference lists: made for the demo students, deterministic, a few problems each."""

from __future__ import annotations

from app.demo.samples import PROBLEMS, Person, misspelt, other_id, sample_lists
from app.demo.service import generate
from app.domain import idnumber


def people(n: int) -> list[Person]:
    return [Person(r["student_no"], r["name"], r["id_number"], r["major"], r["category"], r.get("art_sports", ""))
            for r in generate(n, 2026).records]


def test_same_people_same_lists():
    a, b = sample_lists(people(200), 2027), sample_lists(people(200), 2027)
    assert (a.academic, a.conduct, a.majors, a.planted) == (b.academic, b.conduct, b.majors, b.planted)


def test_each_planted_problem_is_on_its_own_ordinary_candidate():
    roster = people(600)
    lists = sample_lists(roster, 2027)
    carriers = [sno for snos in lists.planted.values() for sno in snos]
    assert len(carriers) == len(set(carriers)) == len(PROBLEMS)
    ordinary = {p.student_no for p in roster if p.category == "普通考生" and not p.art_sports}
    assert set(carriers) <= ordinary
    listed = {row[1] for row in lists.academic[1:]}
    assert set(lists.planted["not_in_academic"]).isdisjoint(listed)
    assert len(listed) == len(roster) - 2
    late = {row[1]: row[6] for row in lists.academic[1:]}
    assert [late[s] for s in lists.planted["not_graduating"]] == ["2028-06"]
    assert {v for k, v in late.items() if k not in lists.planted["not_graduating"]} == {"2027-06"}


def test_a_small_roster_gets_fewer_problems_never_more_than_half():
    lists = sample_lists(people(12), 2027)
    carriers = [sno for snos in lists.planted.values() for sno in snos]
    assert 0 < len(carriers) <= 6


def test_other_colleges_students_on_the_conduct_list_are_nobody_here():
    roster = people(600)
    lists = sample_lists(roster, 2027)
    ours = {p.student_no for p in roster} | {p.id_number for p in roster}
    strangers = [row for row in lists.conduct[1:] if row[1] not in ours]
    assert len(strangers) == 2 and all(row[3] not in ours for row in strangers)
    assert all(idnumber.parse(row[3]) for row in lists.conduct[1:])


def test_typing_slips_look_like_typing_slips():
    assert misspelt("张子涵") == "张子晗" and len(misspelt("周华")) == 2 and misspelt("周华") != "周华"
    number = people(1)[0].id_number
    other = other_id(number)
    assert other != number and idnumber.parse(other).gender == idnumber.parse(number).gender
