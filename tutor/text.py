"""Text as the grader sees it: normalised, split into words and clause marks, each word stemmed."""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

import snowballstemmer  # uses PyStemmer's C implementation when it is installed
from rapidfuzz.distance import OSA

_stemmer = snowballstemmer.stemmer("english")
_stems: Final[dict[str, str]] = {}

# Words that carry no idea on their own: dropped from aliases and from derived reference concepts.
# Quantifiers and negations (one, many, all, same, no, not, ...) stay: in this domain they carry meaning.
STOPWORDS: Final = frozenset("""
a an the of to in on at by for with from into onto over across through as is are was were be been being
it its it's this that these those and or then than there their they them we you i he she which who whom
what has have had do does did can could will would should may might must so such very just about
if while when where how why my our your his her us me am really basically like
because since therefore thus hence however but although though yet whereas instead rather
""".split())
# Words that carry logic inside an alias ("also", "each", "blow up") but no idea of their own:
# kept in aliases, left out of the concepts derived from a reference answer.
WEAK_WORDS: Final = STOPWORDS | frozenset("also both either other another some any each every own too up out".split())

NEGATIONS: Final = frozenset("not no never without neither nor none nothing nobody nowhere cannot".split())
# A negation's scope ends at clause punctuation or at one of these words.
SCOPE_ENDS: Final = frozenset("""
but however although though yet whereas instead because since so therefore thus hence while which
""".split())
_NOT_A_NEGATION_AFTER: Final = frozenset(("only", "just", "merely", "necessarily"))  # "not only ... but also"

_CONTRACTION = re.compile(r"\b(?:can'?t|won'?t|cannot)\b|n't\b|'s\b")
_OPENED = {"can't": "can not", "cant": "can not", "won't": "will not", "wont": "will not", "cannot": "can not",
           "n't": " not", "'s": ""}
# A piece is a number with decimals, a word (an identifier's underscores and a hyphen's halves kept
# together: the halves are split later, and also tried joined), a run of dots, or a clause mark.
_PIECE = re.compile(r"\d+(?:\.\d+)+|[^\W_]+(?:[-_][^\W_]+)*|\.{2,}|[.,;:!?()…]")
_CLAUSE_MARKS: Final = frozenset(".,;:!?()…")  # ... and runs of dots ("x1..xT"): a pause, not a sentence end
_SENTENCE_MARKS: Final = frozenset(".;!?")  # a colon introduces, it does not end
_ACRONYM_PLURALS: Final = {"grus": "gru", "relus": "relu", "gpus": "gpu"}
# Words written joined, hyphenated or apart ("backpropagation", "back-propagation", "back propagation"):
# always split, in answers and aliases alike, so that every spelling is the same two words.
COMPOUNDS: Final = {joined: tuple(parts.split()) for joined, parts in (
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
    """NFKC, case-folded, with typographic apostrophes made plain (contractions are opened per chunk)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = text.casefold()
    return text.replace("`", "'") if "`" in text else text


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


# What a piece of text does: ends a sentence, pauses a clause, or is a word: a plain one, or of a kind
# the tokeniser looks at twice. (Final, here and above: where setup.py compiles this module, a
# constant is built in, not looked up by name each time.)
END: Final = 0
PAUSE: Final = 1
WORD: Final = 2
NEGATION: Final = 3
SCOPE_END: Final = 4
NOT_AFTER: Final = 5
SENTENCE_GAP: Final = 8  # added to the content-word count at each sentence end: more than any window reaches


class Piece(NamedTuple):
    kind: int
    parts: tuple[str, ...] = ()  # the words it stands for: one, or a compound's halves
    content: int = 0  # 1 when its words carry meaning (not stopwords), else 0
    glued: bool = False  # written with a hyphen after the word before: "3-d" is also "3d"
    start: int = 0  # where it is in its chunk (the whole chunk when a contraction was opened)
    end: int = 0


# Text is split at whitespace into chunks ("gradients,", "doesn't", "3-d"), and what each chunk holds
# is worked out once and remembered: answers share most of their chunks. A chunk that is one plain
# word, maybe with a mark after it ("gradients,"), the most common kind, is remembered apart for a
# faster path: (the word, its content flag, None or what the mark adds to the count, where it is in the chunk).
_plain: Final[dict[str, tuple[str, int, int | None, tuple[int, int]]]] = {}
_chunks: Final[dict[str, tuple[Piece, ...]]] = {}


def _chunk(chunk: str) -> tuple[Piece, ...]:
    """The pieces of a chunk, its contractions opened ("doesn't" -> does, not)."""
    if len(_chunks) > 100_000:
        _chunks.clear()
        _plain.clear()
    opened = _CONTRACTION.sub(_open, chunk)
    pieces: list[Piece] = []
    for m in _PIECE.finditer(opened):
        start, end = m.span() if opened == chunk else (0, len(chunk))
        text = m.group()
        if text in _CLAUSE_MARKS or text[0] == ".":
            pieces.append(Piece(END if text in _SENTENCE_MARKS else PAUSE, start=start, end=end))
            continue
        for k, half in enumerate(text.split("-")):
            parts = COMPOUNDS.get(half) or _compound_typo(half) or (half,)
            kind = (NEGATION if half in NEGATIONS else SCOPE_END if half in SCOPE_ENDS
                    else NOT_AFTER if half in _NOT_A_NEGATION_AFTER else WORD)
            pieces.append(Piece(kind, parts, int(half not in STOPWORDS), k > 0, start, end))
    found = _chunks[chunk] = tuple(pieces)
    if 1 <= len(found) <= 2 and found[0].kind == WORD and len(found[0].parts) == 1 and (
            len(found) == 1 or found[1].kind <= PAUSE):
        after = None if len(found) == 1 else SENTENCE_GAP if found[1].kind == END else 0
        _plain[chunk] = (found[0].parts[0], found[0].content, after, (found[0].start, found[0].end))
    return found


class Tokens:
    """An answer's words, in order, with what the grader needs to know of each (parallel lists)."""

    __slots__ = ("text", "chunks", "words", "negated_by", "reach", "joins", "_chunk_of", "_starts")

    def __init__(self, text: str, chunks: list[str]):
        self.text, self.chunks = text, chunks  # the normalised text, split at whitespace
        self.words: list[str] = []
        self.negated_by: list[int] = []  # index of the negation word whose scope covers the word, or -1
        # Content words (not stopwords) before each word, plus SENTENCE_GAP per sentence end before it:
        # words i < j are in one sentence with at most w content words between iff reach[j] - reach[i+1] <= w.
        self.reach: list[int] = []
        self.joins: list[tuple[int, str]] = []  # (i, words i and i+1 written with a hyphen, joined): "3-d" is "3d"
        self._chunk_of: list[int] = []  # word -> index of its chunk
        self._starts: list[int] | None = None  # chunk -> where it starts, once asked

    def span(self, i: int) -> tuple[int, int]:
        """Character offsets of word i in the normalised text."""
        k, chunks = self._chunk_of[i], self.chunks
        start = self._start(k)
        chunk = chunks[k]
        if chunk in _plain:
            begin, end = _plain[chunk][3]
            return start + begin, start + end
        ordinal = i - self._chunk_of.index(k)  # which of the chunk's words
        pieces = _chunks.get(chunk)
        for piece in _chunk(chunk) if pieces is None else pieces:
            ordinal -= len(piece.parts)
            if ordinal < 0:
                return start + piece.start, start + piece.end
        return start, start + len(chunk)

    def _start(self, k: int) -> int:
        """Where chunk k starts in the text."""
        if self._starts is None:
            starts: list[int] = []
            at = 0
            for chunk in self.chunks:  # as if one space apart, as they nearly always are
                starts.append(at)
                at += len(chunk) + 1
            if at - 1 != len(self.text):  # runs of spaces somewhere: look each chunk up
                starts, at = [], 0
                for chunk in self.chunks:
                    at = self.text.find(chunk, at)
                    starts.append(at)
                    at += len(chunk)
            self._starts = starts
        return self._starts[k]


def tokenise(text: str) -> Tokens:
    """Normalise and split `text` into words, each knowing whether a negation covers it."""
    norm = normalise(text)
    tokens = Tokens(norm, norm.split())
    words, negated_by, reach, chunk_of = tokens.words, tokens.negated_by, tokens.reach, tokens._chunk_of
    cue, count, plain, chunks = -1, 0, _plain, _chunks
    for index, chunk in enumerate(tokens.chunks):
        known = plain.get(chunk)
        if known is not None:  # most chunks: a plain word, nothing to decide
            word, content, after, _ = known
            words.append(word)
            negated_by.append(cue)
            reach.append(count)
            chunk_of.append(index)
            count += content
            if after is not None:  # a clause ends with it
                cue = -1
                count += after
            continue
        pieces = chunks.get(chunk)
        for kind, parts, content, glued, _, _ in _chunk(chunk) if pieces is None else pieces:
            if kind <= PAUSE:
                cue = -1
                if kind == END:
                    count += SENTENCE_GAP
                continue
            if glued and words:
                tokens.joins.append((len(words) - 1, words[-1] + parts[0]))
            just_negated = cue >= 0 and cue == len(words) - 1
            if (kind == SCOPE_END and not just_negated) or (kind == NOT_AFTER and just_negated):
                cue = -1  # a clause word ends the scope, except "not because X"; "not only" is no negation
            for part in parts:
                words.append(part)
                negated_by.append(cue)
                reach.append(count)
                chunk_of.append(index)
                count += content
            if kind == NEGATION:
                cue = len(words) - 1
    reach.append(count)
    return tokens


def _open(match: re.Match) -> str:
    return _OPENED[match.group()]


def words(text: str) -> list[str]:
    """The plain words of `text` (normalised, no punctuation), as used for alias phrases: compounds
    split, but no typo guessed."""
    found: list[str] = []
    for piece in _PIECE.findall(_CONTRACTION.sub(_open, " ".join(normalise(text).split()))):
        if piece not in _CLAUSE_MARKS and piece[0] != ".":
            for half in piece.split("-"):
                found += COMPOUNDS.get(half, (half,))
    return found
