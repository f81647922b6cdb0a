"""Detect language (Cantonese, Standard Written Chinese, English), script and code-switching."""

from __future__ import annotations

import re
from functools import cache

from cantofilter import LanguageType, judge
from hanzidentifier import helpers

from kaifong.language.convert import to_hans, to_hant
from kaifong.language.register_model import RegisterModel, default_model
from kaifong.types import Detection, Language, Script

#: What a text with no Han characters at all (empty, punctuation, digits, Latin) detects as.
DEFAULT = Detection("en", "Latn", False)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
#: A Latin-script word (ASCII or full-width letters, with inner apostrophes: "don't").
_LATIN_WORD = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+(?:['’][A-Za-z]+)*")
#: URLs, e-mail addresses and bare domains: addresses, not words, so removed before counting words.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:hk|com|org|net)\b"
)
#: Chinese grammatical words: evidence that Chinese is the sentence's frame.
_ZH_FUNCTION = re.compile(
    r"[的了是在嗎吗呢咩嘅咗係唔冇啲佢我你他她們们要請请點点幾几怎甚什麼么哪邊边]|如何|可以"
)
#: English grammatical words: evidence that English is the sentence's frame.
_EN_FUNCTION_WORDS = (
    "the an to of in on at for is are was were do does did you my your how what where when which who can "
    "could should would will and or with from have has it this that be there if not me we our"
)
_EN_FUNCTION = frozenset(_EN_FUNCTION_WORDS.split())
#: Latin tokens that do not make a Chinese text code-switched: units, time markers and the HK of HK$.
NOT_SWITCHING = frozenset({"hk", "am", "pm", "km", "kg", "cm", "mm", "ml", "mg", "kwh", "sq", "ft"})
#: Cantonese markers that canto-filter misses, checked only when it finds no Cantonese-only word.
_EXTRA_CANTONESE = re.compile(
    r"咩|幾[時多耐錢點]|幾(?=[好高大細靚正方開平貴遠近長快慢難易])|多幾|俾[我你佢人]|"
    r"呢[個度啲條份張間次排款幾位種兩]|[我你]個(?![人別體性案])|唔|有冇|要唔要|未[？?]|"
    r"[喇咋嘞吖囖晒嗮靚𡃉𠸏㖞嚹]|(?<![關聯維干派體])係(?![數統列])|點[去搞算辦先申寫講買揀]|"
    r"[裏裡入出上前後左右嗰對]邊|得閒|好鬼|亦都|鍾意|游水|上年|舊年|"
    r"[試問講傾估管查諗玩]下|(?<![一以上天地底樓鄉手部陛殿閣足門之在如眼當私])下(?=[，。！？、,.!?\s]|$)"
)
#: Sentence or clause end, for markers that are Cantonese only in final position.
_END = r"(?=[，。！？、,.!?;；:：\s~～]|$)"
#: Words the markers below must not be read inside: 好 as a verb complement (做好, 辦好 ...).
_NOT_AFTER_HOU = r"(?<![做辦搞打管理弄寫顧建練學教用擺搭安])"
#: More Cantonese markers, found in the benchmark's tuning-split errors or common Cantonese
#: grammar, each checked against Standard Written Chinese: the zh benchmark sentences and
#: the words of jieba's Mandarin dictionary, whose hits became exclusions (有條件, 井井有條,
#: 嘍囉, 懵懂, 嘩啦 ...). The few that remain Mandarin dictionary words (好多, 好似, final 啦,
#: 囉) are colloquial Mandarin, not SWC. Searched only in the text folded to Traditional,
#: so the exclusions (the 領 of 領先, the 嘩 of 嘩啦) need only Traditional forms.
_MORE_CANTONESE = re.compile(
    "|".join(
        (
            r"[揞搣]",  # Cantonese-only characters: cover (揞住嘴), tear (搣爛)
            r"呢[隻架部本件對套首句場輪樣餐陣批]",  # 呢 "this" + classifier
            r"仲[未可會都再]",  # 仲 "still" (canto-filter has 仲有, 仲係 ...)
            r"等陣|然之後|食飯|好耐(?![心用性力])|好易|好似|[之吖咋]嘛",
            _NOT_AFTER_HOU + r"好多(?![元項方樣種])",  # 好多 "very many", not 做好多項
            _NOT_AFTER_HOU + r"好有(?![關效利序])",  # 好有機會, not 做好有關工作
            r"(?<![最只正恰剛友美良和愛交喜討叫要修看])好[雜多少細長短矮貴平快慢難易熱凍冷暖遠近悶嘈靜乾濕甜鹹苦辣香臭舊]"
            + _END,  # 好 "very" + adjective ending a clause (品流好雜，)
            r"都幾(?![乎十百千萬個年次天歲日])",  # 都幾 "quite", not 幾乎 or a count
            r"就得[？?。！!]*$",  # "will do" at the end (你以為扮懵就得？)
            r"懵(?![懂然懵裏里])",  # 扮懵, 懵盛盛; not literary 懵懂, 懵然
            r"未[啊呀呢吖]" + _END,  # "yet?" question
            r"(?:^|(?<=[，。！？,.!?\s]))個(?![人別體案性中股子頭兒數位例展把稅貸])",  # 個 "the" opening
            r"(?<!仔)細個|好大個",  # 細個 "small" (呢隻西瓜好細個)
            r"(?<![不仔減缺至稀])[少細矮平貴]過(?![程去來往渡了目度多問濾失錯份分])",  # 少過 "fewer than"
            r"[拎揸攬擰]住",  # continuous 住 after Cantonese verbs (拎住隻鞋)
            r"(?<![嘩啪呼哇嘎啦拉哈])啦" + _END,  # final 啦, not 嘩啦, 呼啦
            r"[女男]仔|細路",  # 女仔 "girl", 細路 "child"
            r"有隻|(?<![井然])有條(?![件理不款約文例規紋有])",  # 有隻狗, 有條路; not 有條件
            r"(?<![首優率事原搶預祖領爭佔占起最為在當其早一])先" + _END,  # 食咗飯先; not 首先, 領先
            r"[0-9０-９一二三四五六七八九十百千萬兩廿半幾]蚊",  # 十蚊 "ten dollars"
            r"(?<![不共相如等一贊認])同(?![時樣意事學等期類步胞行年級鄉性業])[^，。！？,.!?]{0,8}有關",
            r"(?:^|(?<=[，。！？、,.!?\s我你佢哋都又想知唔]))點[知睇叫用玩食行]",  # 點 "how" + verb
            r"邊[隻本張]",  # 邊 "which" + classifier
            r"(?<![嘍哈])囉(?![嗦唆囉])",  # particle 囉; not 嘍囉, 囉嗦, 哈囉
            r"(?<![認知意常見學共賞辨標])識[講做用寫睇讀聽揸煮游唱彈]",  # 識 "know how to"
            r"[做食講睇等搞玩拍開返行寫讀諗用住搵揾落傾]緊(?![急張要密迫貼湊縮握身接])",  # V緊
        )
    )
)
#: 系 written for 係 (Simplified Cantonese), i.e. outside 系統, 體系, 關係, 中文系 ...
_SIMPLIFIED_COPULA = r"(?<![关關联聯维維干體体派學学科直旁母父星河水語语文])系(?![統统列數数主])"
#: Simplified spellings that use characters CC-CEDICT counts as shared: 系 for 係, 几 for 幾.
_SIMPLIFIED_USE = re.compile(_SIMPLIFIED_COPULA + r"|(?<!茶)几")
_SIMPLIFIED_CANTONESE = re.compile(_SIMPLIFIED_COPULA)


#: Cantonese characters that OpenCC's s2hk respells (晒 -> 曬, 吓 -> 嚇) but HK Traditional writes.
_HK_CANTONESE = frozenset("晒吓")


@cache
def _no_simplified_evidence() -> frozenset[str]:
    """Characters that are no Simplified evidence when s2hk changes them.

    CC-CEDICT's (via hanzidentifier) Traditional-but-not-Simplified characters, plus
    Cantonese characters Hong Kong Traditional writing uses as they are.
    """
    traditional: set[str] = helpers.TRADITIONAL_CHARACTERS
    simplified: set[str] = helpers.SIMPLIFIED_CHARACTERS
    return frozenset(traditional - simplified) | _HK_CANTONESE


def _changed(before: str, after: str, ignore: frozenset[str]) -> int:
    """How many characters a conversion changed, not counting characters in ``ignore``."""
    return sum(1 for a, b in zip(before, after, strict=False) if a != b and a not in ignore)


def _script(text: str, hant: str, hans: str) -> Script:
    """Hans when the text carries more Simplified evidence than Traditional; otherwise Hant (HK).

    Simplified evidence: characters OpenCC's s2hk changes (other than CC-CEDICT
    Traditional-only ones, which s2hk merely respells to HK variants, 衛 -> 衞, and
    Cantonese 晒/吓), plus 系 used
    for 係 and 几 for 幾. Traditional evidence: characters hk2s changes. ``hant`` and
    ``hans`` are the text converted by s2hk and hk2s.
    """
    simp = _changed(text, hant, _no_simplified_evidence()) + len(_SIMPLIFIED_USE.findall(text))
    trad = _changed(text, hans, frozenset())
    return "Hans" if simp > trad else "Hant"


def _chinese_frame(text: str, n_han: int, words: list[str]) -> bool:
    """Whether Chinese (rather than English) is the grammatical frame of a text with Han characters."""
    if not words:
        return True
    zh = _ZH_FUNCTION.search(text) is not None
    en = any(w.lower() in _EN_FUNCTION for w in words)
    if zh != en:
        return zh
    return n_han >= len(words)


def _has_marker(text: str, traditional: str, script: Script) -> bool:
    """Whether the text (or its Traditional form) has a Cantonese marker canto-filter lacks.

    The markers are also searched in the unconverted text, since folding Simplified text
    can turn a marker into another word (晒 "all done" becomes 曬 "sun-dry").
    """
    return (
        _EXTRA_CANTONESE.search(traditional) is not None
        or _EXTRA_CANTONESE.search(text) is not None
        or _MORE_CANTONESE.search(traditional) is not None
        or (script == "Hans" and _SIMPLIFIED_CANTONESE.search(text) is not None)
    )


def _language(text: str, script: Script, hant: str, hans: str, model: RegisterModel | None) -> Language:
    """yue when canto-filter or the markers find a Cantonese-only word; zh when they find none
    and canto-filter finds an SWC-only word; otherwise (no evidence either way) the register
    model decides."""
    traditional = hant if script == "Hans" else text
    verdict = judge(traditional)
    if verdict in (LanguageType.CANTONESE, LanguageType.MIXED) or _has_marker(text, traditional, script):
        return "yue"
    if verdict == LanguageType.NEUTRAL and model is not None and model.is_cantonese(hans):
        return "yue"
    return "zh"


#: How much of a text ``detect`` reads.
MAX_DETECT_CHARS = 4000


def detect(text: str) -> Detection:
    """Detect the language, script and code-switching of a resident's text.

    - **No Han characters** (empty, whitespace, punctuation, digits or Latin text):
      ``Detection("en", "Latn", False)``.
    - **English vs Chinese**: the frame is decided by grammatical words: Chinese function
      characters (的 是 嘅 咗 唔 點 幾 要 ...) against English function words (the, to, how,
      my ...). With evidence on one side only, that side wins; otherwise Chinese wins when
      Han characters are at least as many as Latin words. English text keeps ``en`` even
      when it names a Chinese place or person.
    - **yue vs zh**: text is folded to Traditional and judged by canto-filter; its
      ``cantonese`` and ``mixed`` verdicts mean yue. Otherwise a list of Cantonese
      markers canto-filter lacks (咩, 幾時, 呢個/呢隻, 我個, standalone 係 and 唔, 有冇, 仲未,
      好耐, 好多, 都幾, final 啦/囉/先, 十蚊, 女仔, 點知, 識講, 做緊, 少過, 拎住 ...) decides,
      each with exclusions so SWC words (的士, 一點, 首先, 優先, 領先, 有條件, 做好多項,
      嘍囉, 知識) do not trigger. With no marker and no SWC-only word either (canto-filter's
      ``neutral``), the trained register model (``kaifong.language.register_model``:
      Cantonese character n-grams mined from the corpora pycantonese ships, such as 大佬,
      而家, 成日) adds up the Cantonese evidence of the text folded to Simplified; below its
      threshold, or with an SWC-only word, the text is Standard Written Chinese (zh). Why
      and how: docs/adr/0006-register-model.md.
    - **script**: Hans when OpenCC's s2hk finds more to change than hk2s (plus 系/几 used
      for 係/幾); text whose characters are the same in both scripts is Hant (Hong Kong).
    - **code_switched**: for Chinese text, True when it contains at least one Latin word of
      two or more letters that is not a unit or time marker (km, kg, am, pm ...) nor the
      "HK" of HK$; URLs and e-mail addresses are not words. Acronyms such as HKID or MPF
      do count: they are English terms the resident chose. Single letters (A座, B1) do not.
      For English text, True when it contains any Han character.
    - Only the first ``MAX_DETECT_CHARS`` characters are read: they decide a text's language, and
      a megabyte of text must not cost seconds.
    """
    return detect_with_model(text, default_model())


def detect_by_rules(text: str) -> Detection:
    """``detect`` without the trained register model: the marker rules alone (for comparison)."""
    return detect_with_model(text, None)


def detect_with_model(text: str, model: RegisterModel | None) -> Detection:
    """``detect`` with the given register model (None: the marker rules alone)."""
    text = text[:MAX_DETECT_CHARS]
    han = _HAN.findall(text)
    if not han:
        return DEFAULT
    words = _LATIN_WORD.findall(_ADDRESS.sub(" ", text))
    if not _chinese_frame(text, len(han), words):
        return Detection("en", "Latn", True)
    hant, hans = to_hant(text), to_hans(text)
    script = _script(text, hant, hans)
    switched = any(len(w) >= 2 and w.lower() not in NOT_SWITCHING for w in words)
    return Detection(_language(text, script, hant, hans, model), script, switched)
