"""Tests for the trained register model and how detection combines it with the marker rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kaifong.language import detect, to_hans
from kaifong.language.detect import detect_by_rules, detect_with_model
from kaifong.language.register_model import (
    MODEL_PATH,
    RegisterModel,
    RegisterModelError,
    default_model,
    load,
)


def test_shipped_model_is_plain_data_with_attribution() -> None:
    header = [line for line in MODEL_PATH.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(header)
    assert "HKCanCor" in text and "CC BY 4.0" in text and "Luke" in text
    model = default_model()
    assert 100 < len(model.weights) < 20_000
    assert model.threshold > 0 and model.max_n == 3
    assert all(weight > 0 for weight in model.weights.values())  # positive evidence only


def test_runtime_does_not_import_pycantonese() -> None:
    code = (
        "import sys; from kaifong.language import detect; detect('大佬成日講今次'); "
        "print('pycantonese' in sys.modules, 'jieba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_score_adds_the_weights_of_every_ngram_up_to_max_n() -> None:
    model = RegisterModel({"大": 1.0, "大佬": 2.5, "佬": 0.5, "大佬佬": 9.0}, threshold=3.5, max_n=2)
    assert model.score("大佬") == pytest.approx(4.0)  # 大 + 佬 + 大佬; the trigram is beyond max_n
    assert model.score("大，佬") == pytest.approx(1.5)  # n-grams never cross punctuation
    assert model.is_cantonese("大佬") and not model.is_cantonese("大，佬")
    assert model.score("") == 0.0 and model.score("abc") == 0.0


@pytest.mark.parametrize(
    "text",
    ["大佬成日講今次", "老細今次請大家出街", "成日同老細講今次即刻做完", "我哋而家去"],
)
def test_model_reads_cantonese_the_markers_miss(text: str) -> None:
    assert detect(text).language == "yue"
    assert detect(to_hans(text)).language == "yue"


def test_model_adds_to_the_rules_without_replacing_them() -> None:
    text = "成日同老細講今次即刻做完"
    assert detect_by_rules(text).language == "zh"  # no marker of the rules ...
    assert detect(text).language == "yue"  # ... the model's n-grams decide
    empty = RegisterModel({"無關": 1.0}, threshold=1.0, max_n=2)
    assert detect_with_model(text, empty).language == "zh"
    assert detect_with_model("你食咗飯未呀？", None).language == "yue"  # rules alone still work


@pytest.mark.parametrize(
    "text",
    [
        "請問的士收費是多少？",
        "請問元朗區有甚麼公共圖書館？",
        "市民可於屯門或元朗的診所求診",
        "請問銅鑼灣有沒有郵局",
        "小朋友的功課太多",
        "將會有更多港人到大埔開心遊玩",
        "請問奶茶多少錢",
        "部份市民可即刻申請",
        "小朋友開心地玩耍",
        "但系统出现问题",  # folded, 但系 would be 但係: n-grams with 系 are left out
        "申請公共租住房屋需要符合甚麼資格？",
        "長者可獲優先處理。",
    ],
)
def test_hong_kong_standard_chinese_stays_zh(text: str) -> None:
    assert detect(text).language == "zh"
    assert detect(to_hans(text)).language == "zh"


def test_an_swc_only_word_keeps_the_model_out() -> None:
    strong = RegisterModel({"士": 50.0}, threshold=1.0, max_n=1)
    assert detect_with_model("的士站", strong).language == "yue"  # canto-filter neutral: model decides
    assert detect_with_model("這是的士站", strong).language == "zh"  # 這/是 are SWC-only words


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_reads_header_and_rows(tmp_path: Path) -> None:
    model = load(_write(tmp_path, "# a comment\n# threshold\t2.5\n# max_n\t2\n\n佢\t8.5\n大佬\t4.0\n"))
    assert model == RegisterModel({"佢": 8.5, "大佬": 4.0}, threshold=2.5, max_n=2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# threshold\t2.5\n佢\t8.5\n", "lacks the header lines max_n"),
        ("# threshold\t2.5\n# max_n\t2\n", "lacks any n-gram line"),
        ("# threshold\tabc\n# max_n\t2\n佢\t1\n", ":1: expected '# name<TAB>number'"),
        ("# threshold\t2\n# max_n\t2\n佢 8.5\n", ":3: expected 'ngram<TAB>weight'"),
        ("# threshold\t2\n# max_n\t2\n佢\tnan\n", ":3: expected 'ngram<TAB>weight'"),
    ],
)
def test_load_names_what_is_wrong_and_how_to_fix_it(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(RegisterModelError, match="regenerate") as error:
        load(_write(tmp_path, content))
    assert message in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegisterModelError, match=r"cannot read the register model .*reinstall"):
        load(tmp_path / "absent.tsv")
