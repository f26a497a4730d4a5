"""The question bank: `content/<topic>/<id>.md` files -> Questions, with every problem reported.

A file is YAML front matter between `---` lines, then Markdown sections under `## ` headings
(content/README.md documents the format). Loading never stops at the first problem: `check()`
collects all of them, each with its file and line, so that one run of `tutor check` lists them all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tutor.aliases import AliasSyntaxError, parse
from tutor.errors import ContentError, Problem, UsageError
from tutor.model import Concept, Misconception, Question

# The order topics are learned in; topics not listed here come after, alphabetically.
TOPIC_ORDER = ("rnn-basics", "gradients", "gated-cells", "sequence-models", "convolution")

SECTIONS = {"question": "text", "answer": "answer", "seed answer": "seed_answer",
            "correction": "correction", "notes": "notes"}
REQUIRED_KEYS = ("id", "topic", "difficulty", "demo", "source", "concepts")
OPTIONAL_KEYS = ("tags", "references", "misconceptions")
CONCEPT_KEYS = {"name": str, "aliases": list, "weight": (int, float), "required": bool}
MISCONCEPTION_KEYS = {"pattern": (str, list), "feedback": str}
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class CheckReport:
    """What loading a set of content folders found: the questions, and every problem."""

    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def check(folders: list[Path], known_demos: set[str] | None = None) -> CheckReport:
    """Load every `*.md` question under `folders`; collect problems instead of raising."""
    report = CheckReport()
    seen: dict[str, str] = {}
    for folder in folders:
        if not folder.is_dir():
            report.problems.append(Problem(str(folder), 0, "not a folder", "give a folder of question files"))
            continue
        for path in sorted(folder.rglob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            question, problems = parse_file(path, folder, known_demos)
            report.problems += problems
            if question is None:
                continue
            where = f"{path}:{_id_line(path)}"
            if question.id in seen:
                report.problems.append(Problem(str(path), _id_line(path), f"duplicate id '{question.id}'",
                                               f"also used at {seen[question.id]}; ids must be unique"))
                continue
            seen[question.id] = where
            report.questions.append(question)
    report.questions.sort(key=lambda q: (topic_rank(q.topic), q.topic, q.id))
    return report


def load(folders: list[Path], known_demos: set[str] | None = None) -> list[Question]:
    """The questions under `folders`; raises ContentError when any file has an error."""
    report = check(folders, known_demos)
    if report.problems:
        raise ContentError(report.problems)
    return report.questions


def topic_rank(topic: str) -> int:
    return TOPIC_ORDER.index(topic) if topic in TOPIC_ORDER else len(TOPIC_ORDER)


def parse_file(path: Path, root: Path, known_demos: set[str] | None = None) -> tuple[Question | None, list[Problem]]:
    """One question file -> (Question or None, problems)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, 0, f"cannot read file: {exc}", "save it as UTF-8 text")]
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(name, 1, "missing front matter", "start the file with a line '---', the YAML keys, then '---'")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(name, 1, "front matter is not closed", "add a line '---' after the YAML keys")]
    front, body_start = "\n".join(lines[1:end]), end + 1
    try:
        node = yaml.compose(front, Loader=_Loader)
        data = yaml.load(front, Loader=_Loader) if node is not None else None
    except yaml.YAMLError as exc:
        # Where an unclosed bracket or quote started says more than where the parser gave up.
        context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if not (context and mark):
            context, mark = None, getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        text = f"broken YAML: {context}: {problem}" if context else f"broken YAML: {problem}"
        return None, [Problem(name, line, text, "check indentation, colons and quotes")]
    if not isinstance(data, dict):
        return None, [Problem(name, 2, "front matter must be YAML keys and values", "e.g. 'id: my-question'")]
    fields = _Fields(name, node, data)
    sections, section_problems = _sections(name, lines, body_start)
    question = _question(fields, sections, path, root, known_demos)
    problems = fields.problems + section_problems
    return (None if problems else question), problems


class _Fields:
    """The front matter with the line of each key, collecting problems as fields are read."""

    def __init__(self, path: str, node: yaml.MappingNode, data: dict):
        self.path, self.data, self.problems = path, data, []
        self.lines = {k.value: k.start_mark.line + 2 for k, _ in node.value}
        self.nodes = {k.value: v for k, v in node.value}

    def problem(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, hint))

    def line(self, key: str) -> int:
        return self.lines.get(key, 2)

    def item_line(self, key: str, index: int) -> int:
        node = self.nodes.get(key)
        if isinstance(node, yaml.SequenceNode) and index < len(node.value):
            return node.value[index].start_mark.line + 2
        return self.line(key)

    def get(self, key: str, kind: type | tuple, default=None):
        if key not in self.data:
            return default
        value = self.data[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind in (int, (int, float)):
            self.problem(self.line(key), f"'{key}' must be {_kind_name(kind)}, not {_kind_name(type(value))}")
            return default
        return value


def _question(f: _Fields, sections: dict[str, str], path: Path, root: Path,
              known_demos: set[str] | None) -> Question:
    for key in f.data:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            close = [k for k in REQUIRED_KEYS + OPTIONAL_KEYS if _similar(str(key), k)]
            f.problem(f.line(key), f"unknown key '{key}'",
                      f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(REQUIRED_KEYS + OPTIONAL_KEYS))
    for key in REQUIRED_KEYS:
        if key not in f.data:
            f.problem(1, f"missing key '{key}'", f"add '{key}:' to the front matter")

    qid = f.get("id", str, "")
    if qid and not ID_PATTERN.match(qid):
        f.problem(f.line("id"), f"id '{qid}' is not lower-case words joined by hyphens", "e.g. 'lstm-forget-gate'")
    elif qid and qid != path.stem:
        f.problem(f.line("id"), f"id '{qid}' does not match the file name '{path.name}'", f"rename the file to {qid}.md")
    topic = f.get("topic", str, "")
    folder = path.parent.name if path.parent != root else ""
    if topic and folder and topic != folder:
        f.problem(f.line("topic"), f"topic '{topic}' does not match the folder '{folder}'",
                  f"move the file to {folder and root / topic}/ or change the topic")
    difficulty = f.get("difficulty", int, 1)
    if "difficulty" in f.data and difficulty not in (1, 2, 3):
        f.problem(f.line("difficulty"), f"difficulty must be 1, 2 or 3, not {difficulty}", "1 easy, 2 medium, 3 hard")
    demo = f.get("demo", str, "none")
    if known_demos is not None and demo != "none" and demo not in known_demos:
        close = [name for name in sorted(known_demos) if _similar(demo, name)]
        f.problem(f.line("demo"), f"demo '{demo}' does not exist",
                  f"did you mean '{close[0]}'?" if close else "run `tutor demo list` for the names, or write 'demo: none'")
    source = f.get("source", str, "original")
    tags = tuple(_strings(f, "tags"))
    references = tuple(_strings(f, "references"))
    concepts = _concepts(f)
    misconceptions = _misconceptions(f)

    for heading, required in (("question", True), ("answer", True)):
        if required and not sections.get(heading, "").strip():
            f.problem(1, f"missing '## {heading.capitalize()}' section", f"add a line '## {heading.capitalize()}' and the text under it")
    if source.lower().startswith("seed"):
        for heading in ("seed answer", "correction"):
            if not sections.get(heading, "").strip():
                f.problem(f.line("source"), f"seed question without a '## {heading.capitalize()}' section",
                          "seed questions keep the seed's answer verbatim and say what it gets wrong")
        if not references:
            f.problem(f.line("source"), "seed question without references", "add 'references:' with the sources of the correction")
    body = {field_name: sections.get(heading, "").strip() for heading, field_name in SECTIONS.items()}
    digest = hashlib.sha256((body.get("text", "") + "\0" + body.get("answer", "")).encode()).hexdigest()[:16]
    return Question(id=qid, topic=topic, tags=tags, difficulty=difficulty, demo=demo, source=source,
                    references=references, concepts=concepts, misconceptions=misconceptions,
                    path=str(path), content_hash=digest, **body)


def _strings(f: _Fields, key: str) -> list[str]:
    values = f.get(key, list, [])
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            f.problem(f.item_line(key, i), f"'{key}' item {i + 1} must be non-empty text")
    return [v for v in values if isinstance(v, str) and v.strip()]


def _concepts(f: _Fields) -> tuple[Concept, ...]:
    items = f.get("concepts", list, None)
    if items is None:
        return ()
    if not items:
        f.problem(f.line("concepts"), "empty concept list", "list the key ideas a good answer states, each with aliases")
    concepts = []
    for i, item in enumerate(items):
        line = f.item_line("concepts", i)
        entry = _entry(f, item, line, "concept", CONCEPT_KEYS, ("name", "aliases"))
        if entry is None:
            continue
        aliases = _patterns(f, entry.get("aliases", []), line, f"concept '{entry.get('name', '?')}'")
        weight = entry.get("weight", 1)
        if weight <= 0:
            f.problem(line, f"concept '{entry['name']}' has weight {weight}", "weights are positive numbers")
        concepts.append(Concept(entry["name"], tuple(aliases), float(weight), entry.get("required", False)))
    return tuple(concepts)


def _misconceptions(f: _Fields) -> tuple[Misconception, ...]:
    result = []
    for i, item in enumerate(f.get("misconceptions", list, [])):
        line = f.item_line("misconceptions", i)
        entry = _entry(f, item, line, "misconception", MISCONCEPTION_KEYS, ("pattern", "feedback"))
        if entry is not None:
            raw = entry["pattern"]
            patterns = _patterns(f, [raw] if isinstance(raw, str) else raw, line, "misconception")
            result.append(Misconception(tuple(patterns), entry["feedback"].strip()))
    return tuple(result)


def _entry(f: _Fields, item, line: int, what: str, keys: dict, required: tuple[str, ...]) -> dict | None:
    """Check one concept or misconception mapping; None when it cannot be used."""
    if not isinstance(item, dict):
        f.problem(line, f"{what} {item!r} must be a mapping", f"write '- {required[0]}: ...' then the other keys")
        return None
    ok = True
    for key, value in item.items():
        if key not in keys:
            f.problem(line, f"unknown {what} key '{key}'", "known keys: " + ", ".join(keys))
        elif not isinstance(value, keys[key]) or (isinstance(value, bool) and keys[key] is not bool):
            f.problem(line, f"{what} key '{key}' must be {_kind_name(keys[key])}, not {_kind_name(type(value))}")
            ok = False
    for key in required:
        if key not in item:
            f.problem(line, f"{what} without '{key}'", f"add '{key}:'")
            ok = False
    return item if ok else None


def _patterns(f: _Fields, patterns: list, line: int, owner: str) -> list[str]:
    good = []
    if not patterns:
        f.problem(line, f"{owner} has no aliases", "give at least one phrase that states it")
    for pattern in patterns:
        if not isinstance(pattern, str):
            f.problem(line, f"{owner}: alias {pattern!r} must be text")
            continue
        try:
            parse(pattern)
            good.append(pattern)
        except AliasSyntaxError as exc:
            f.problem(line, f"{owner}: {exc}", "see 'Aliases' in content/README.md")
    return good


def _sections(path: str, lines: list[str], start: int) -> tuple[dict[str, str], list[Problem]]:
    """Split the Markdown body at `## ` headings; unknown headings are problems."""
    sections: dict[str, list[str]] = {}
    problems, current = [], None
    for number in range(start, len(lines)):
        line = lines[number]
        if line.startswith("## "):
            heading = line[3:].strip().lower()
            if heading not in SECTIONS:
                problems.append(Problem(path, number + 1, f"unknown section '## {line[3:].strip()}'",
                                        "sections: " + ", ".join(h.capitalize() for h in SECTIONS) + "; use ### inside one"))
                current = None
            elif heading in sections:
                problems.append(Problem(path, number + 1, f"section '## {line[3:].strip()}' appears twice", "merge them"))
                current = None
            else:
                current = sections.setdefault(heading, [])
        elif current is not None:
            current.append(line)
        elif line.strip() and not problems:
            problems.append(Problem(path, number + 1, "text outside any section", "put it under '## Question' or '## Answer'"))
    return {k: "\n".join(v).strip() for k, v in sections.items()}, problems


def _id_line(path: Path) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("id:"):
                return number
    except OSError:
        pass
    return 1


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a.lower(), b).ratio() >= 0.75


def _kind_name(kind) -> str:
    names = {str: "text", list: "a list", dict: "a mapping", int: "a whole number", float: "a number",
             bool: "true or false", type(None): "empty"}
    if isinstance(kind, tuple):
        return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kind))
    return names.get(kind, kind.__name__)


def find(questions: list[Question], qid: str) -> Question:
    """The question with id `qid`; an unknown id is a UsageError naming the closest ids."""
    for question in questions:
        if question.id == qid:
            return question
    import difflib

    close = difflib.get_close_matches(qid, [q.id for q in questions], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `tutor list` shows the ids"
    raise UsageError(f"no question with id '{qid}'{hint}")
