"""The grader, rule by rule: stems, phrases and their window, typos, negation, weights, verdicts."""

import pytest
from hypothesis import given, settings, strategies as st

from tutor.grading import CORRECT_AT, PARTIAL_AT, grade, grade_reference
from tutor.matching import allowed_edits
from tutor.model import Concept, Misconception, Question, Rating, Verdict


def question(*concepts: Concept, misconceptions=()) -> Question:
    return Question(id="q", topic="t", text="Q?", answer="A.", concepts=tuple(concepts),
                    misconceptions=tuple(misconceptions))


def found(answer: str, alias: str) -> bool:
    return grade(answer, question(Concept("idea", (alias,)))).score == 1.0


@pytest.mark.parametrize("answer, alias, expected", [
    # stems: word endings and case never matter
    ("The gradients VANISHED quickly", "gradient vanish", True),
    ("vanishing gradients", "vanish", True),
    ("RNNs and LSTMs", "rnn", True),
    ("stacked GRUs", "gru", True),
    # phrases: in order, at most three other words between neighbours
    ("clip the norm of the gradient", "clip gradient", True),
    ("clip big huge norm gradient", "clip gradient", True),
    ("clip big huge norm value gradient", "clip gradient", False),
    ("gradient clip", "clip gradient", False),
    # alternatives and optional words
    ("we rescale the gradient", "(clip|rescale) [the] gradient", True),
    ("it is positive", "(only|just) positive", False),  # a filler word as an alternative still counts
    ("it is just positive", "(only|just) positive", True),
    ("the cell solves it", "cell fully solves", False),  # "cellfully" stems to "cell": no such compound
    # hyphens and compounds
    ("back-propagation through time", "backpropagation", True),
    ("backpropagation through time", "back propagation", True),
    ("back propagation through time", "back-propagation", True),
    ("it is back; propagation through time", "backpropagation", False),  # no compound across punctuation
    # phrases stay within a sentence; a run of dots is not a sentence end
    ("the gradient vanishes. Clipping helps", "vanish clipping", False),
    ("inputs x1..xT feed the hidden state", "inputs hidden state", True),
    # Unicode: NFKC, curly apostrophes, accents kept apart
    ("ｇｒａｄｉｅｎｔ clipping", "gradient clipping", True),
    ("the model\u2019s hidden state", "hidden state", True),
])
def test_words_phrases_and_forms(answer, alias, expected):
    assert found(answer, alias) is expected


@pytest.mark.parametrize("answer, alias, expected", [
    ("the gradiant explodes", "gradient", True),           # 8 letters: one substitution
    ("the gradinet explodes", "gradient", True),           # a swap counts as one edit
    ("the gardinet explodes", "gradient", False),          # two edits on an 8-letter word
    ("backpropogation", "backpropagation", True),          # 15 letters: up to two edits
    ("bakcpropogation", "backpropagation", True),
    ("orthgonal initialisation", "orthogonal", True),
    ("a cnn", "rnn", False),                               # short words and acronyms: exact only
    ("relu units", "gru", False),
    ("gru units", "relu", False),
    ("an lstm", "lstm", True),
    ("the lstn", "lstm", False),
    ("seq2seq", "seq2sec", False),                         # words with digits: exact only
    ("radiant", "gradient", False),                        # typos keep the first letter
    ("call pack_padded_sequnce first", "pack_padded_sequence", True),  # identifiers are words too
    ("a softmax over scores", "softmax_j", False),
])
def test_typo_tolerance(answer, alias, expected):
    assert found(answer, alias) is expected


@pytest.mark.parametrize("word, edits", [
    ("rnn", 0), ("lstm", 0), ("relu", 0), ("gate", 0), ("state", 1), ("gradient", 1),
    ("orthogonal", 2), ("h_n", 0), ("seq2seq", 0),
])
def test_edit_budget_scales_with_length(word, edits):
    assert allowed_edits(word) == edits


@pytest.mark.parametrize("answer, negated", [
    ("the weights are not shared", True),
    ("the weights aren't shared", True),
    ("weights are never shared", True),
    ("without shared weights", True),
    ("there are no shared weights", True),
    ("it is not slow, the weights are shared", False),       # the clause ends at the comma
    ("it does not help, but the weights are shared", False),  # ... or at "but"
    ("not only are the weights shared but also the biases", False),
    ("the weights are shared", False),
    ("it is not because the weights are shared", True),      # "not because X" denies X
])
def test_negation_scope(answer, negated):
    result = grade(answer, question(Concept("shared weights", ("weight shared", "shared weight"))))
    assert (result.score == 0.0) is negated
    assert bool(result.negated) is negated
    if negated:
        assert result.negated[0].concept == "shared weights"


def test_an_alias_that_states_a_negation_matches_it():
    concept = Concept("independent of length", ("not depend [on] [sequence] length",))
    assert grade("the parameter count does not depend on the length", question(concept)).score == 1.0


def test_score_is_weighted_coverage_and_verdict_follows_thresholds():
    q = question(Concept("a", ("alpha",), weight=3), Concept("b", ("bravo",), weight=1))
    assert grade("alpha", q).score == pytest.approx(0.75)
    assert grade("bravo", q).score == pytest.approx(0.25)
    assert grade("alpha", q).verdict is Verdict.CORRECT
    assert grade("bravo", q).verdict is (Verdict.PARTIAL if 0.25 >= PARTIAL_AT else Verdict.INCORRECT)
    assert grade("charlie", q).verdict is Verdict.INCORRECT
    assert PARTIAL_AT < CORRECT_AT < 1


@pytest.mark.parametrize("verdict, rating", [
    (Verdict.CORRECT, Rating.GOOD), (Verdict.PARTIAL, Rating.HARD), (Verdict.INCORRECT, Rating.AGAIN)])
def test_suggested_rating_follows_verdict(verdict, rating):
    answers = {Verdict.CORRECT: "alpha bravo charlie", Verdict.PARTIAL: "alpha", Verdict.INCORRECT: "zulu"}
    q = question(Concept("a", ("alpha",)), Concept("b", ("bravo",)), Concept("c", ("charlie",)))
    result = grade(answers[verdict], q)
    assert (result.verdict, result.rating) == (verdict, rating)


def test_missing_required_concept_caps_the_verdict_at_partial():
    q = question(Concept("core", ("orthogonal",), weight=1, required=True),
                 Concept("x", ("alpha",), weight=2), Concept("y", ("bravo",), weight=2))
    result = grade("alpha and bravo", q)
    assert result.score == pytest.approx(0.8)
    assert result.verdict is Verdict.PARTIAL
    assert result.required_missing == ("core",)
    assert "missing a required idea: core" in result.reason


def test_a_misconception_without_a_required_idea_is_incorrect():
    q = question(Concept("core", ("orthogonal",), required=True), Concept("x", ("alpha",)), Concept("y", ("bravo",)),
                 misconceptions=[Misconception(("clipping (fixes|cures) vanishing",), "No.")])
    assert grade("alpha and bravo", q).verdict is Verdict.PARTIAL
    assert grade("alpha and bravo; clipping fixes vanishing", q).verdict is Verdict.INCORRECT
    assert grade("orthogonal, alpha and bravo; clipping fixes vanishing", q).verdict is Verdict.PARTIAL


def test_misconception_caps_the_verdict_at_partial_and_explains():
    q = question(Concept("a", ("alpha",)), misconceptions=[
        Misconception(("clipping (fixes|cures) vanishing",), "Clipping cannot enlarge a vanishing gradient."),
        Misconception(("cnn more powerful",), "Neither is more powerful.")])
    assert grade("alpha", q).verdict is Verdict.CORRECT
    result = grade("alpha; clipping fixes vanishing gradients", q)
    assert result.verdict is Verdict.PARTIAL
    assert grade("clipping fixes vanishing. A CNN is more powerful. alpha", q).verdict is Verdict.INCORRECT
    assert result.misconceptions[0].feedback == "Clipping cannot enlarge a vanishing gradient."
    assert result.misconceptions[0].words == "clipping fixes vanishing"
    assert grade("alpha; clipping does not fix vanishing", q).verdict is Verdict.CORRECT


def test_misconception_phrases_are_tighter_than_concept_phrases():
    q = question(Concept("a", ("alpha",)), misconceptions=[Misconception(("clipping fixes vanishing",), "No.")])
    assert grade("alpha; clipping really truly fixes vanishing", q).misconceptions
    loose = "alpha; clipping exploding gradient spikes fixes vanishing"  # three words between: a concept would match
    assert not grade(loose, q).misconceptions
    assert grade(loose, question(Concept("c", ("clipping fixes vanishing",)))).score == 1.0


def test_denying_a_main_idea_while_missing_one_is_incorrect():
    q = question(Concept("core", ("orthogonal",), required=True), Concept("x", ("alpha",)), Concept("y", ("bravo",)))
    assert grade("alpha and bravo", q).verdict is Verdict.PARTIAL
    assert grade("alpha and bravo, but not orthogonal", q).verdict is Verdict.INCORRECT


def test_explanation_quotes_the_learners_words():
    q = question(Concept("unrolled", ("unroll",)), Concept("summed", ("sum over [time] steps",)))
    result = grade("You Unroll it, then the grads are Summed over all steps.", q)
    assert [(h.concept, h.words) for h in result.matched] == [("unrolled", "Unroll"),  # as written
                                                              ("summed", "Summed over all steps")]
    assert result.missed == ()
    wide = grade("Ｕｎｒｏｌｌ it", q)  # full-width letters: quoted as normalised, where offsets fit
    assert [(h.concept, h.words) for h in wide.matched] == [("unrolled", "unroll")]


@pytest.mark.parametrize("answer", ["", "   ", "\n\t"])
def test_empty_answer_is_incorrect_with_a_reason(answer):
    result = grade(answer, question(Concept("a", ("alpha",))))
    assert (result.verdict, result.score, result.reason) == (Verdict.INCORRECT, 0.0, "empty answer")
    assert result.missed == ("a",)


def test_reference_mode_uses_content_words_and_demotes_question_words():
    reference = "The gradient shrinks because the Jacobian product has small singular values."
    full = grade_reference("jacobian product, small singular values: gradient shrinks", reference)
    assert full.score == 1.0
    half = grade_reference("the gradient shrinks", reference)
    assert 0 < half.score < 1
    assert {m.concept for m in half.matched} == {"gradient", "shrinks"}
    demoted = grade_reference("the gradient shrinks", reference, question="Why does the gradient shrink?")
    assert demoted.score == 0.0  # repeating the question earns nothing


def test_reference_mode_with_only_stopwords_is_not_an_error():
    assert grade_reference("anything", "the of and").verdict is Verdict.INCORRECT


def test_to_dict_has_the_documented_fields():
    data = grade("alpha", question(Concept("a", ("alpha",)), Concept("b", ("bravo",)))).to_dict()
    assert {"score", "verdict", "rating", "matched", "missed", "negated", "misconceptions"} <= set(data)
    assert data["matched"] == [{"concept": "a", "words": "alpha"}] and data["missed"] == ["b"]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_any_unicode_never_raises_and_score_stays_in_range(answer, reference):
    result = grade_reference(answer, reference)
    assert 0.0 <= result.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_answer_to_a_curated_question_is_graded(answer):
    q = question(Concept("a", ("(clip|rescale) [the] gradient",)), Concept("b", ("not shared",)))
    assert 0.0 <= grade(answer, q).score <= 1.0


def test_explanation_quotes_the_words_as_written_whatever_the_spacing():
    q = question(Concept("no help", ("not help",)), Concept("summed", ("sum over [time] steps",)),
                 Concept("clipped", ("clip gradient",)))
    answer = "It  doesn't help,\n\nso    gradients get summed over\tall steps; clipping the big gradients."
    found = {h.concept: h.words for h in grade(answer, q).matched}
    assert found == {"no help": "doesn't help", "summed": "summed over\tall steps",
                     "clipped": "clipping the big gradients"}


def test_explanation_quotes_a_word_without_the_marks_around_it():
    q = question(Concept("end token", ("eos",)), Concept("gates", ("gates",)))
    for _ in range(2):  # the second time, each chunk of text is already known
        found = {h.concept: h.words for h in grade("it stops at <eos>. the (gates) decide", q).matched}
        assert found == {"end token": "eos", "gates": "gates"}


def test_an_alias_of_many_groups_is_matched_without_listing_its_phrases():
    alias = " ".join(["(alpha|bravo|charlie|delta)"] * 6) + " echo"  # 4^6 = 4096 phrases
    q = question(Concept("long", (alias,)))
    assert grade("delta charlie bravo alpha alpha delta and echo", q).score == 1.0
    assert grade("delta charlie bravo alpha alpha and echo", q).score == 0.0  # one group short


def test_an_answer_repeating_one_word_thousands_of_times_is_still_graded():
    q = question(Concept("long", ("gradient gradient gradient gradient gradient vanish",)), Concept("b", ("bravo",)))
    result = grade("gradient " * 3000 + "vanish and bravo", q)  # the search for where is bounded
    assert "b" in [h.concept for h in result.matched]
