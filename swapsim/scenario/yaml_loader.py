"""Reading scenario YAML so that it means what it says, with bounded work.

:func:`read_yaml_file` reads a scenario (or sweep) file and :func:`load_yaml_text` parses a text (a
``--set`` value) with :class:`BoundedLoader`, a safe loader (no object-building tags) that:

* rejects a key given twice in one mapping, naming both lines (YAML's default keeps the last silently);
  keys brought in by a merge (``<<: *base``) may be overridden, as YAML intends;
* counts nodes **while composing**, an alias counting as the whole node it repeats, and refuses a
  document past :data:`MAX_NODES` nodes or :data:`MAX_DEPTH` levels of nesting before anything is
  expanded (an alias bomb is refused in milliseconds, a 3000-deep document without a RecursionError);
* refuses a recursive alias (``&a [*a]``) and an integer of more than :data:`MAX_INT_DIGITS` digits
  (no field takes one; Python would refuse to convert 4300 digits or more with a ValueError).

Files are read only if they are regular files (not a directory, FIFO, device or socket), and only up
to :data:`MAX_FILE_BYTES`. Every problem raises :class:`YamlInputError` with a one-line message naming
the file and, where there is one, the line and column; :mod:`swapsim.scenario` turns it into a
``ScenarioError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent

from swapsim.scenario.guarded import RefusedRead, read_regular

__all__ = [
    "YamlInputError",
    "BoundedLoader",
    "read_yaml_file",
    "load_yaml_text",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
]

MAX_FILE_BYTES = 1 << 20
"""Largest scenario or sweep file read (bytes): 1 MiB, about a hundred times the largest shipped one."""
MAX_NODES = 200_000
"""Most YAML nodes in one document, counting every repetition an alias makes."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists in one document (the schema itself is 6 levels deep)."""
MAX_INT_DIGITS = 30
"""Most digits in a YAML integer (the largest bound in the schema, the seed's, has 19)."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlInputError(ValueError):
    """YAML that cannot be read as a scenario; the message is fit to show as it is."""


class BoundedLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys, huge integers, recursive aliases and documents
    past :data:`MAX_NODES` nodes (aliases expanded, counted without expanding) or :data:`MAX_DEPTH` levels."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    # -- composing: count nodes and depth before anything is built ---------------------------------
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            node: Any = super().compose_node(parent, index)  # Any: our nodes carry swapsim_size
            size = getattr(node, "swapsim_size", None)
            if size is None:  # the anchored node is still being composed: the alias is inside it
                raise ComposerError(None, None, "a recursive alias (a node that contains itself)", mark)
            self._count(size, mark)
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        before = self._nodes
        self._count(1, mark)
        node = super().compose_node(parent, index)
        node.swapsim_size = self._nodes - before
        self._depth -= 1
        return node

    def _count(self, n: int, mark: Any) -> None:
        self._nodes += n
        if self._nodes > MAX_NODES:
            raise ComposerError(
                None, None, f"more than {MAX_NODES:,} values once aliases are expanded (an alias bomb?)", mark
            )

    # -- constructing: duplicate keys, huge integers -------------------------------------------------
    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node.start_mark)
                except TypeError:  # unhashable: the base class reports it
                    continue
                if first is not key_node.start_mark:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {_brief(key)} (first at line "
                        f"{first.line + 1}, again at line {key_node.start_mark.line + 1})",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        text = str(node.value)
        digits = sum(ch.isdigit() or ch in "abcdefABCDEF" for ch in text)
        if digits > MAX_INT_DIGITS:
            raise ConstructorError(
                None,
                None,
                f"an integer of {digits} digits is too large for any field (at most {MAX_INT_DIGITS} digits)",
                node.start_mark,
            )
        return super().construct_yaml_int(node)


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)


def _problem(exc: yaml.YAMLError) -> str:
    """The first line of a YAML error, without the stream's name (``"<unicode string>"``)."""
    if isinstance(exc, yaml.reader.ReaderError):
        ch = exc.character
        code = ord(ch) if isinstance(ch, str) else ch
        return f"a control character (U+{code:04X}) at character {exc.position + 1}; a scenario file is plain text"
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


def _brief(key: Any) -> str:
    text = repr(key) if isinstance(key, (str, int, float, bool)) or key is None else type(key).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def load_yaml_text(text: str, source: str) -> Any:
    """Parse ``text`` with :class:`BoundedLoader`; errors name ``source`` and the line and column."""
    try:  # the reader refuses control characters (NUL, BEL) as soon as it is built
        loader = BoundedLoader(text)
    except yaml.YAMLError as exc:
        raise YamlInputError(f"{source}: invalid YAML: {_problem(exc)}") from None
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = _problem(exc)
        if mark is not None:
            raise YamlInputError(f"{source}:{mark.line + 1}:{mark.column + 1}: invalid YAML: {problem}") from None
        raise YamlInputError(f"{source}: invalid YAML: {problem}") from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps the composer far from the limit
        raise YamlInputError(f"{source}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def read_yaml_file(path: str | Path) -> Any:
    """Read and parse a YAML file: a regular file of at most :data:`MAX_FILE_BYTES`, UTF-8."""
    path = Path(path)
    try:
        data = read_regular(path, MAX_FILE_BYTES, "YAML file")
    except RefusedRead as exc:
        raise YamlInputError(str(exc)) from None
    except OSError as exc:
        raise YamlInputError(f"{path}: cannot read the file ({_reason(exc)})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise YamlInputError(f"{path}: cannot read the file (not UTF-8 text)") from None
    return load_yaml_text(text, str(path))


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or exc.__class__.__name__
