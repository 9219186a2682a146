"""Parse one Markdown file into its front matter, title and section tree.

The parser is CommonMark (markdown-it-py) with GitHub tables and strikethrough; YAML
front matter is read first. Top-level headings open sections; headings inside lists or
quotes stay blocks of their section. See :mod:`tutor.ingest._parser` for the nesting
limit, which keeps a pathologically nested file from exhausting the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from tutor.ingest._blocks import BlockStream, HeadingGroup, read_blocks
from tutor.ingest._document import Block, BlockKind, ParsedDocument, Section
from tutor.ingest._front_matter import split_front_matter
from tutor.ingest._parser import MAX_NESTING, check_text, split_lines, tokenize
from tutor.ingest.learner_text import defined_labels

__all__ = [
    "MAX_NESTING",
    "Block",
    "BlockKind",
    "ParsedDocument",
    "Section",
    "parse_markdown",
]


def parse_markdown(text: str, *, name: str) -> ParsedDocument:
    """Parse one Markdown file.

    Args:
        text: The file's text.
        name: The file's name or path, used for the fallback title and in errors.

    Returns:
        The parsed document.

    Raises:
        EmptyDocumentError: The text is empty or only whitespace.
        BinaryContentError: The text holds NUL bytes.
        NestingTooDeepError: Lists or block quotes nest deeper than :data:`MAX_NESTING`.
        FrontMatterError: The front matter is malformed YAML or not a mapping.
    """
    check_text(text, name=name)
    lines = split_lines(text)
    front_matter, skipped = split_front_matter(lines, name=name)
    body = lines[skipped:]
    tokens = tokenize(body, name=name, line_offset=skipped)
    stream = read_blocks(tokens, body, line_offset=skipped)
    parsed = _assemble(stream, front_matter, name=name)
    return replace(parsed, references=defined_labels("\n".join(body)))


@dataclass
class _Node:
    title: str
    level: int
    anchor: str
    line: int
    blocks: list[Block]
    group: int
    """Index of the heading group it came from; -1 for a synthetic root."""
    children: list[_Node] = field(default_factory=list)


def _assemble(stream: BlockStream, front_matter: dict[str, Any], *, name: str) -> ParsedDocument:
    groups = stream.groups
    declared = front_matter.get("title")
    title = declared.strip() if isinstance(declared, str) else ""
    if (
        not title
        and groups
        and groups[0].title
        and all(later.level > groups[0].level for later in groups[1:])
    ):
        # One heading encloses the whole file (an mdBook sub-chapter opens with an H2):
        # it is the document, and what precedes it is its introduction.
        first = groups[0]
        root = _node(first, 0)
        root.blocks = [*stream.preamble, *first.blocks]
        rest = list(enumerate(groups))[1:]
    else:
        if not title and groups:
            # The first H1; failing that, the first heading at the file's highest level.
            top = min(group.level for group in groups)
            title = next((group.title for group in groups if group.level == top), "")
        title = title or PurePath(name).stem or name
        root = _Node(title, 0, "", 0, list(stream.preamble), -1)
        rest = list(enumerate(groups))
    open_nodes = [root]
    for index, group in rest:
        while len(open_nodes) > 1 and open_nodes[-1].level >= group.level:
            open_nodes.pop()
        node = _node(group, index)
        open_nodes[-1].children.append(node)
        open_nodes.append(node)

    positions: dict[int, int] = {}
    frozen = _freeze(root, positions)
    anchors = {section.anchor: section.position for section in frozen.walk()}
    for anchor, group_index in stream.nested_anchors:
        anchors.setdefault(anchor, positions.get(group_index, 0))
    anchors[""] = 0
    return ParsedDocument(
        name=name, title=frozen.title, front_matter=front_matter, root=frozen, anchors=anchors
    )


def _node(group: HeadingGroup, index: int) -> _Node:
    return _Node(group.title, group.level, group.anchor, group.line, list(group.blocks), index)


def _freeze(root: _Node, positions: dict[int, int]) -> Section:
    # Pre-order positions first, then build bottom-up; the tree is at most 7 deep.
    order: list[_Node] = []
    pending = [root]
    while pending:
        node = pending.pop()
        positions[node.group] = len(order)
        order.append(node)
        pending.extend(reversed(node.children))
    place = {id(node): index for index, node in enumerate(order)}

    def build(node: _Node) -> Section:
        return Section(
            title=node.title,
            level=node.level,
            anchor=node.anchor,
            position=place[id(node)],
            blocks=tuple(node.blocks),
            children=tuple(build(child) for child in node.children),
            line=node.line,
        )

    return build(root)
