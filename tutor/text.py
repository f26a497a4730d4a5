"""Text as the grader sees it: normalised, split into words and clause marks, each word stemmed."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer  # uses PyStemmer's C implementation when it is installed
from rapidfuzz.distance import OSA

_stemmer = snowballstemmer.stemmer("english")
_stems: dict[str, str] = {}

# Words that carry no idea on their own: dropped from aliases and from derived reference concepts.
# Quantifiers and negations (one, many, all, same, no, not, ...) stay: in this domain they carry meaning.
STOPWORDS = frozenset("""
a an the of to in on at by for with from into onto over across through as is are was were be been being
it its it's this that these those and or then than there their they them we you i he she which who whom
what has have had do does did can could will would should may might must so such very just about
if while when where how why my our your his her us me am really basically like
because since therefore thus hence however but although though yet whereas instead rather
""".split())
# Words that carry logic inside an alias ("also", "each", "blow up") but no idea of their own:
# kept in aliases, left out of the concepts derived from a reference answer.
WEAK_WORDS = STOPWORDS | frozenset("also both either other another some any each every own too up out".split())

NEGATIONS = frozenset("not no never without neither nor none nothing nobody nowhere cannot".split())
# A negation's scope ends at clause punctuation or at one of these words.
SCOPE_ENDS = frozenset("""
but however although though yet whereas instead because since so therefore thus hence while which
""".split())
_NOT_A_NEGATION_AFTER = frozenset(("only", "just", "merely", "necessarily"))  # "not only ... but also"

_CONTRACTIONS = [(re.compile(p), r) for p, r in (
    (r"\bcan'?t\b", "can not"), (r"\bwon'?t\b", "will not"), (r"\bcannot\b", "can not"),
    (r"n't\b", " not"), (r"'s\b", ""), (r"s'(?=\s|$)", "s"),
)]
_TOKENS = re.compile(r"\d+(?:\.\d+)+|[^\W_]+(?:_[^\W_]+)*|\.{2,}|[.,;:!?()…]")
_CLAUSE_MARKS = frozenset(".,;:!?()…")  # ... and runs of dots ("x1..xT"): a pause, not a sentence end
_SENTENCE_MARKS = frozenset(".;!?")  # a colon introduces, it does not end
_ACRONYM_PLURALS = {"grus": "gru", "relus": "relu", "gpus": "gpu"}
# Words written joined, hyphenated or apart ("backpropagation", "back-propagation", "back propagation"):
# always split, in answers and aliases alike, so that every spelling is the same two words.
COMPOUNDS = {joined: tuple(parts.split()) for joined, parts in (
    ("backpropagation", "back propagation"), ("backprop", "back prop"), ("feedforward", "feed forward"),
    ("timestep", "time step"), ("timesteps", "time steps"), ("dataset", "data set"), ("datasets", "data sets"),
    ("hyperparameter", "hyper parameter"), ("hyperparameters", "hyper parameters"), ("minibatch", "mini batch"),
    ("minibatches", "mini batches"), ("nonlinearity", "non linearity"), ("nonlinear", "non linear"),
    ("multilayer", "multi layer"), ("bidirectional", "bi directional"), ("lookback", "look back"),
    ("subword", "sub word"), ("subwords", "sub words"), ("finetune", "fine tune"), ("finetuning", "fine tuning"),
    ("layernorm", "layer norm"), ("batchnorm", "batch norm"), ("multihead", "multi head"),
    ("checkpoint", "check point"), ("encoderdecoder", "encoder decoder"),
)}


def normalise(text: str) -> str:
    """NFKC, case-folded, with typographic apostrophes and dashes made plain and contractions opened."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=4096)
def _compound_typo(word: str) -> tuple[str, ...] | None:
    """The parts of the compound `word` misspells ("backpropogation"), if any: within two edits, same first letter."""
    if len(word) < 9 or not word.isalpha():
        return None
    for joined, parts in COMPOUNDS.items():
        if joined[0] == word[0] and abs(len(joined) - len(word)) <= 2 and OSA.distance(joined, word, score_cutoff=2) <= 2:
            return parts
    return None


def stem(word: str) -> str:
    """The Snowball stem, with acronym plurals (rnns, lstms, grus) reduced too. Cached."""
    cached = _stems.get(word)
    if cached is None:
        cached = _ACRONYM_PLURALS.get(word) or _stemmer.stemWord(word)
        if cached.endswith("s") and len(cached) > 2 and not any(v in cached[:-1] for v in "aeiouy"):
            cached = cached[:-1]  # rnns -> rnn: Snowball keeps an s after a vowel-less stem
        _stems[word] = cached
    return cached


class Token(NamedTuple):
    word: str
    stem: str
    start: int  # character offsets into the normalised text
    end: int
    negated_by: int  # index of the negation word whose scope covers this token, or -1
    sentence: int  # phrases never match across sentences


def tokenise(text: str) -> tuple[str, list[Token]]:
    """Normalise and split `text` into word tokens, each knowing whether a negation covers it."""
    norm = normalise(text)
    tokens: list[Token] = []
    append, stems = tokens.append, _stems
    cue, sentence = -1, 0
    for m in _TOKENS.finditer(norm):
        piece = m.group()
        if piece in _CLAUSE_MARKS or piece[0] == ".":
            cue = -1
            sentence += piece in _SENTENCE_MARKS
            continue
        if piece in SCOPE_ENDS and not (cue >= 0 and cue == len(tokens) - 1):  # "not because X" negates X
            cue = -1
        elif cue >= 0 and cue == len(tokens) - 1 and piece in _NOT_A_NEGATION_AFTER:
            cue = -1
        start, end = m.span()
        for part in COMPOUNDS.get(piece) or _compound_typo(piece) or (piece,):
            append(Token(part, stems.get(part) or stem(part), start, end, cue, sentence))
        if piece in NEGATIONS:
            cue = len(tokens) - 1
    return norm, tokens


def words(text: str) -> list[str]:
    """The plain words of `text` (normalised, no punctuation), as used for alias phrases."""
    pieces = (m.group() for m in _TOKENS.finditer(normalise(text)))
    return [part for w in pieces if w not in _CLAUSE_MARKS and w[0] != "." for part in COMPOUNDS.get(w, (w,))]
