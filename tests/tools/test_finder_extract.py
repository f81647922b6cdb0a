"""Reading facts from text in all four language forms, numbers as people write them, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaifong.tools.finder.extract import extract
from kaifong.tools.finder.facts import Facts, facts_from_mapping
from kaifong.tools.finder.numerals import chinese_number, normalise_numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("六十八", 68),
        ("十", 10),
        ("廿五", 25),
        ("一百二十", 120),
        ("兩萬五千", 25000),
        ("一萬二", 12000),
        ("三千五", 3500),
        ("萬二", 12000),
        ("一千零五十", 1050),
        ("年", None),
    ],
)
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("月入一萬二", "月入12000"),
        ("月入1萬2", "月入12000"),
        ("1.2萬", "12000"),
        ("8千5蚊", "8500蚊"),
        ("1萬二千", "12000"),
        ("$12,000 a month", "$12000 a month"),
        ("12k", "12000"),
        ("I am sixty-eight", "I am 68"),
        ("一家四口", "一家4口"),
        ("一齊住", "一齊住"),  # 一 in a word is not a number
        ("萬一", "萬一"),
    ],
)
def test_numbers_become_digits(text: str, expected: str) -> None:
    assert normalise_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "form", "facts"),
    [
        (
            "我六十八歲，住咗香港十年，獨居",
            "yue-Hant",
            {"age": 68, "residence_years": 10, "living_alone": True, "household_size": 1, "couple": False},
        ),
        (
            "I'm 45, unemployed, live in Sham Shui Po, Form 3 education",
            "en",
            {
                "age": 45,
                "employment": "unemployed",
                "district": "sham-shui-po",
                "education": "lower_secondary",
            },
        ),
        ("我今年五十岁，失业", "zh-Hans", {"age": 50, "employment": "unemployed"}),
        (
            "本人六十一歲，已退休，居於將軍澳，每月收入八千元，積蓄三十萬",
            "zh-Hant",
            {
                "age": 61,
                "employment": "retired",
                "district": "sai-kung",
                "monthly_income": 8000,
                "assets": 300000,
            },
        ),
        ("月入一萬二", "zh-Hant", {"monthly_income": 12000}),
        ("我哋一家四口，我老公做全職，住天水圍", "yue-Hant", {"household_size": 4, "district": "yuen-long"}),
        (
            "I'm a 34-year-old housewife in Tin Shui Wai, family of four, household income 20000 a month",
            "en",
            {"age": 34, "employment": "homemaker", "district": "yuen-long", "household_size": 4},
        ),
        (
            "我係新來港人士，二十七歲，中五畢業",
            "yue-Hant",
            {"new_arrival": True, "age": 27, "education": "upper_secondary"},
        ),
        ("我坐輪椅，四十歲，想搵工", "yue-Hant", {"disability": True, "age": 40, "employment": "unemployed"}),
        ("I am 23, a university graduate, jobless", "en", {"education": "degree", "age": 23}),
        ("我要照顧我阿媽，佢行唔到", "yue-Hant", {"carer": True}),
        ("I look after my elderly father", "en", {"carer": True}),
        ("I am an ethnic minority resident and I don't speak Chinese", "en", {"ethnic_minority": True}),
    ],
)
def test_facts_in_each_language_form(text: str, form: str, facts: dict[str, object]) -> None:
    found = extract(text)
    assert found.detection.form == form
    known = found.facts.known()
    for name, value in facts.items():
        assert known.get(name) == value, (name, known)
    assert not found.problems


def test_benefits_received_refused_and_only_asked_about() -> None:
    assert extract("我拎緊生果金，冇拎綜援").facts.known()["benefits"] == {"oaa": True, "cssa": False}
    assert extract("I receive the Old Age Living Allowance").facts.receives == {"oala"}
    assert extract("我想申請長者生活津貼").facts.known().get("benefits") is None  # asking is not receiving
    assert extract("Can I get CSSA?").facts.known().get("benefits") is None
    assert extract("我冇拎任何津貼").facts.not_receiving == {"cssa", "oaa", "oala", "da", "wfa"}


def test_other_peoples_ages_are_not_the_residents() -> None:
    assert extract("我個仔15歲，我45歲").facts.age == 45
    assert extract("My mother is 80 years old and I'm 52").facts.age == 52
    assert extract("我阿媽八十歲").facts.age is None


def test_contradicting_facts_are_left_out_and_reported() -> None:
    found = extract("I'm 30 ... I'm 70")
    assert found.facts.age is None
    assert [(p.code, p.fact, p.values) for p in found.problems] == [("contradiction", "age", ("30", "70"))]
    assert extract("我係學生，我退休咗").problems[0].code == "contradiction"


@pytest.mark.parametrize(
    "text", ["I am -1 years old", "我200歲", "I'm 200", "I'm 99999999999999999999 years old", "我1958歲"]
)
def test_impossible_ages_are_refused(text: str) -> None:
    found = extract(text)
    assert found.facts.age is None
    assert [p.code for p in found.problems] == ["impossible_age"]
    assert found.problems[0].values[0] in text  # the number as written, not its last three digits


@pytest.mark.parametrize(
    ("text", "place"), [("I live in Gotham", "Gotham"), ("我住喺火星區", "火星"), ("我住喺 Narnia", "Narnia")]
)
def test_unknown_districts_are_named(text: str, place: str) -> None:
    found = extract(text)
    assert found.facts.district is None
    assert [(p.code, p.values) for p in found.problems] == [("unknown_district", (place,))]


def test_districts_by_any_name_and_several_are_ambiguous() -> None:
    assert extract("我住旺角").facts.district == "yau-tsim-mong"
    assert extract("住在观塘").facts.district == "kwun-tong"
    assert extract("I work in Central but I live in Tuen Mun").facts.district == "tuen-mun"
    found = extract("沙田同屯門")
    assert found.facts.district is None
    assert found.problems[0].code == "district_ambiguous"


def test_living_alone_and_its_negation() -> None:
    assert extract("我唔係獨居，同仔女住").facts.living_alone is False
    assert extract("I don't live alone").facts.living_alone is False
    found = extract("我獨居，一家四口")
    assert found.facts.household_size is None and found.problems[0].code == "contradiction"


def test_residence_longer_than_life_is_refused_and_born_here_counts_as_life() -> None:
    found = extract("I'm 30 and have lived in Hong Kong for 40 years")
    assert found.facts.residence_years is None
    assert found.problems[0].code == "residence_over_age"
    assert extract("I was born in Hong Kong, I'm 66").facts.residence_years == 66


def test_filter_hints_language_and_kind() -> None:
    assert extract("any course taught in English?").language == "en"
    assert extract("我想讀用普通話教嘅課程").language == "cmn"
    assert extract("I speak English at home").language is None
    assert extract("有冇課程適合我").kind == "course"
    assert extract("有咩津貼可以申請").kind == "service"


def test_facts_never_show_their_values_in_repr() -> None:
    facts = Facts(age=68, monthly_income=12000)
    assert "68" not in repr(facts) and "12000" not in repr(facts)
    assert "age" in repr(facts)


def test_facts_from_a_short_form() -> None:
    facts, problems = facts_from_mapping(
        {
            "age": "68",
            "district": "旺角",
            "living_alone": "yes",
            "benefits": ["oaa"],
            "monthly_income": "12,000",
        }
    )
    assert (facts.age, facts.district, facts.living_alone, facts.monthly_income) == (
        68,
        "yau-tsim-mong",
        True,
        12000,
    )
    assert facts.receives == {"oaa"} and "cssa" in facts.not_receiving
    assert problems == ()
    _, problems = facts_from_mapping(
        {"age": "200", "household_size": "abc", "district": "Narnia", "carer": "maybe"}
    )
    assert sorted(p.code for p in problems) == [
        "impossible_age",
        "invalid_value",
        "invalid_value",
        "unknown_district",
    ]


def _tuning_profiles() -> list[dict[str, object]]:
    path = Path(__file__).resolve().parents[1] / "data" / "finder_profiles.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["split"] == "tune"]


@pytest.mark.parametrize("row", _tuning_profiles(), ids=lambda row: str(row["id"]))
def test_tuning_profiles_are_read_as_their_gold_facts(row: dict[str, object]) -> None:
    """A regression guard over the texts the patterns were written against (not the held-out ones)."""
    known = extract(str(row["text"])).facts.known()
    gold: dict[str, object] = row["facts"]  # type: ignore[assignment]
    for name, value in gold.items():
        if name == "benefits":
            assert known.get("benefits", {}) | value == known.get("benefits"), name  # type: ignore[operator]
        else:
            assert known.get(name) == value, name


@pytest.mark.parametrize(
    "text",
    [
        "我没工作",
        "我沒工作",
        "我冇工作",
        "我冇返工",
        "我沒有返工",
        "我已经不工作了",
        "I'm not working",
        "I have no job",
        "no job",
        "I am not employed",
        "I don't work",
    ],
)
def test_saying_you_do_not_work_is_not_being_employed(text: str) -> None:
    assert extract(text).facts.employment == "unemployed"


def test_not_working_gives_way_to_the_reason_given() -> None:
    assert extract("I'm retired and not working").facts.employment == "retired"
    assert extract("我退休咗，冇做嘢").facts.employment == "retired"
    assert not extract("我退休咗，冇做嘢").problems


@pytest.mark.parametrize(
    "text",
    [
        "I'm 41 with a 9-year-old son",
        "I have a 9 year old son, I'm 41",
        "I'm 41 and have a daughter aged 9",
        "我41歲，有個9歲嘅仔",
        "我有個9歲嘅女，我41歲",
        "我41岁，有个9岁的儿子",
        "我四十一歲，有一個九歲的兒子",
        "我41歲同個9歲仔住",
        "我和9岁的儿子住，我41岁",
    ],
)
def test_an_age_attached_to_someone_else_is_not_the_residents(text: str) -> None:
    found = extract(text)
    assert found.facts.age == 41
    assert not found.problems


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("I'm 68, my wife is 65", 68),
        ("我68歲，老婆65歲", 68),
        ("I'm 70 and my grandchild is 8", 70),
        ("我41歲，阿媽80歲", 41),
        ("I'm a 35-year-old mother of two", 35),  # the kin noun is what the resident is
        ("我係一個35歲嘅單親媽媽，有個3歲嘅女", 35),
    ],
)
def test_ages_of_spouses_parents_and_grandchildren_are_theirs(text: str, age: int) -> None:
    assert extract(text).facts.age == age


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("I'm not a student", "employment", None),
        ("我唔係學生", "employment", None),
        ("我不是学生", "employment", None),
        ("我仲未退休", "employment", None),
        ("I'm not retired", "employment", None),
        ("I don't have a disability", "disability", False),
        ("I don’t have a disability", "disability", False),
        ("我不是残疾人士", "disability", False),
        ("I'm not an ethnic minority", "ethnic_minority", False),
        ("我唔係少數族裔", "ethnic_minority", False),
        ("I'm not a new arrival", "new_arrival", False),
        ("我唔係新移民", "new_arrival", False),
        ("I don't look after my mother", "carer", None),
    ],
)
def test_negated_statements_are_read_as_negated(text: str, fact: str, value: object) -> None:
    assert extract(text).facts.known().get(fact) == value


@pytest.mark.parametrize(
    "text",
    [
        "I don't get any allowance",
        "I don’t receive any allowance",
        "我冇攞任何津貼",
        "我沒有領取任何津貼",
        "我没有领取任何津贴",
        "我乜津貼都冇",
        "我冇任何政府津貼",
    ],
)
def test_a_negated_allowance_is_a_fact_not_a_request_for_services(text: str) -> None:
    found = extract(text)
    assert found.facts.not_receiving == {"cssa", "oaa", "oala", "da", "wfa"}
    assert found.kind is None


def test_a_benefit_negation_elsewhere_in_the_sentence_is_not_this_clauses() -> None:
    assert extract("I'm not sure but I receive CSSA").facts.receives == {"cssa"}


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("我唔係單身", "couple", True),
        ("I'm not married", "couple", False),
        ("我没有结婚", "couple", False),
        ("我没有学位", "education", None),
        ("I don't live in Sham Shui Po, I live in Tuen Mun", "district", "tuen-mun"),
        ("我唔係住深水埗，我住屯門", "district", "tuen-mun"),
        ("我不住在深水埗，住在屯门", "district", "tuen-mun"),
    ],
)
def test_negation_is_read_for_couples_education_and_districts(text: str, fact: str, value: object) -> None:
    found = extract(text)
    assert found.facts.known().get(fact) == value
    assert not found.problems


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("我阿媽坐輪椅", "disability"),
        ("My mother is disabled", "disability"),
        ("my daughter is married", "couple"),
        ("我阿媽係新移民", "new_arrival"),
        ("我老婆冇工作", "employment"),
        ("My husband works as a driver", "employment"),
    ],
)
def test_what_is_said_about_someone_else_is_not_the_residents(text: str, fact: str) -> None:
    assert fact not in extract(text).facts.known()
    assert extract("我老婆冇工作，我返緊工").facts.employment == "employed"
    assert extract("I live with a disability").facts.disability is True


@pytest.mark.parametrize(
    "text", ["I'm 40 and wasn't born in Hong Kong", "我40歲，唔係香港出世", "我40岁，不是在香港出生的"]
)
def test_not_born_here_says_nothing_about_years_here(text: str) -> None:
    found = extract(text)
    assert (found.facts.age, found.facts.residence_years) == (40, None)
    assert extract("我是在香港出生的，今年40歲").facts.residence_years == 40


def test_someone_elses_job_hunt_children_and_earning_nothing() -> None:
    assert extract("我個仔想搵工").facts.employment is None
    assert extract("我个儿子想找工作").facts.employment is None
    assert extract("I earn nothing").facts.employment is None
    assert extract("我41歲，仔9歲，女7歲").facts.age == 41
    assert extract("我係女性，65歲").facts.age == 65


@pytest.mark.parametrize(
    "text", ["我老公拎緊傷殘津貼", "My husband receives Disability Allowance", "我妈妈领综援"]
)
def test_someone_elses_allowance_is_not_the_residents(text: str) -> None:
    found = extract(text)
    assert found.facts.receives == frozenset() and found.facts.disability is None
    assert extract("我老公拎緊傷殘津貼，我拎緊生果金").facts.receives == {"oaa"}


def test_not_studying_is_a_fact_not_a_request_for_courses() -> None:
    assert extract("我没读过书").facts.education == "none"
    assert extract("我未上過學").facts.education == "none"
    found = extract("我冇讀書，而家搵緊工")  # "not studying now": says nothing about the level reached
    assert (found.facts.education, found.kind) == (None, None)
    assert extract("我冇讀過書，想讀課程").kind == "course"
