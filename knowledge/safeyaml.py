"""`safe_load` for YAML that comes from outside (an office's guide folder, Markdown front matter).

`yaml.safe_load` never runs code, but anchors and aliases let a few hundred bytes stand for billions
of nodes ("billion laughs"): loading is instant because aliases share one object, and whatever walks
the result afterwards (validation, rendering, an error message's repr) runs out of memory and time.
Found by the loader fuzz tests: a 363-byte guide hung ingestion with 5 GB of memory after a minute.
So the result's expanded size is measured (each shared node counted as often as it is referenced,
in time linear in the distinct nodes) and refused above a bound no real guide comes near (our
largest has about 500 nodes). Recursive structures (an anchor inside itself) are refused too.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_NODES = 100_000
# libyaml's parser when PyYAML was built with it (the PyPI wheels are): same documents, about ten times
# faster (the catalogue's 28 guides load in 0.15 s instead of 1.7 s, paid by every process that starts).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlTooLarge(yaml.YAMLError):
    """The document expands, through aliases, beyond `MAX_NODES` nodes, or refers to itself."""


def expanded_size(root: Any, limit: int = MAX_NODES) -> int:
    """Nodes in `root` with every alias expanded; stops counting once past `limit` (then returns > limit)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        items = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        if children_done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in items)
            if sizes[key] > limit:
                return sizes[key]
            continue
        if key in sizes:
            continue
        if key in open_:
            raise YamlTooLarge("the YAML refers to itself (a recursive anchor)")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in items if isinstance(c, dict | list) and id(c) not in sizes)
    return sizes.get(id(root), 1)


def safe_load(text: str, *, limit: int = MAX_NODES) -> Any:
    """Like `yaml.safe_load`, refusing documents that expand beyond `limit` nodes (raises `YamlTooLarge`)."""
    data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
    size = expanded_size(data, limit)
    if size > limit:
        raise YamlTooLarge(f"the YAML expands to more than {limit} nodes through anchors and aliases "
                           "(a 'billion laughs' document?); guides never need that")
    return data
