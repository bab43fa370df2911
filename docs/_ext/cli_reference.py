"""The command-line reference, generated from hfs-detect's own argparse parser.

``.. hfs-cli::`` (``{hfs-cli}`` in Markdown) writes one section per command: its
description, usage and every option with its help, as ``hfs-detect COMMAND --help``
prints them, so the reference cannot drift from the program.
"""

from __future__ import annotations

import argparse

from docutils import nodes
from docutils.parsers.rst import Directive


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its subcommands here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


class CommandLineReference(Directive):
    """Every command of ``hfs-detect``, from its parser."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from hfs_detect.cli import _build_parser

        parser = _build_parser()
        out: list[nodes.Node] = []
        top = nodes.section(ids=["hfs-detect"])
        top += nodes.title(text="hfs-detect")
        top += _text_block(parser.format_help())
        out.append(top)
        for name, command in _commands(parser).items():
            section = nodes.section(ids=[f"hfs-detect-{name}"])
            section += nodes.title(text=f"hfs-detect {name}")
            section += _text_block(command.format_help())
            options = nodes.bullet_list()
            for action in command._actions:  # noqa: SLF001
                if not action.option_strings or action.help == argparse.SUPPRESS:
                    continue
                item = nodes.list_item()
                paragraph = nodes.paragraph()
                paragraph += nodes.literal(text=", ".join(action.option_strings))
                paragraph += nodes.Text(f": {action.help or ''}")
                item += paragraph
                options += item
            section += options
            out.append(section)
        return out


def _text_block(text: str) -> nodes.literal_block:
    block = nodes.literal_block(text=text)
    block["language"] = "text"  # help text, not code: no colouring
    return block


def setup(app) -> dict:
    app.add_directive("hfs-cli", CommandLineReference)
    return {"version": "1", "parallel_read_safe": True}
