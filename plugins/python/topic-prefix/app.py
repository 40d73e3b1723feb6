"""topic-prefix: a Warren `group-filter` plugin in Python (componentize-py).

Monitors only the consumer groups that consume at least one topic whose name starts with one
of the configured prefixes:

    [plugin.topic-prefix]
    config = { prefixes = ["payments-", "orders-"] }

A group's topics are the topics it has committed offsets for plus the topics assigned to its
current members (so a group that has just joined is judged before its first commit).

A group with no known topic at all (no commit, no assignment) cannot be judged on its topics;
it is kept, in the spirit of the host's own fail-open rule, unless the config says
`"keep-without-topics": false`.

Built by scripts/build-polyglot-plugins into plugins/target/polyglot/topic_prefix_py.wasm.
"""

import json

import wit_world
from wit_world import exports
from componentize_py_types import Err
from wit_world.imports import host, types

NAME = "topic-prefix"
VERSION = "0.1.0"

CONFIG_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "topic-prefix configuration",
    "type": "object",
    "properties": {
        "prefixes": {
            "description": "Topic-name prefixes; a group is monitored when it consumes a topic "
            "starting with one of them.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
        },
        "keep-without-topics": {
            "description": "Whether a group with no known topic (no commit, no assignment) "
            "is monitored.",
            "type": "boolean",
            "default": True,
        },
    },
    "required": ["prefixes"],
    "additionalProperties": False,
}

KNOWN_KEYS = ("prefixes", "keep-without-topics")


def problems_of(config_json):
    """Every problem with a config document, and the parsed settings when there is none."""
    try:
        config = json.loads(config_json)
    except ValueError as e:
        return [f"the config is not valid JSON: {e}"], None
    if not isinstance(config, dict):
        return [f"the config must be a JSON object, not {json_type(config)}"], None

    problems = []
    for key in sorted(config):
        if key not in KNOWN_KEYS:
            problems.append(
                f"unknown key `{key}` (known keys: {', '.join(f'`{k}`' for k in KNOWN_KEYS)})"
            )

    prefixes = config.get("prefixes")
    if "prefixes" not in config:
        problems.append('`prefixes` is missing: give a list of topic prefixes, e.g. ["payments-"]')
    elif not isinstance(prefixes, list):
        problems.append(f"`prefixes` must be a list of strings, not {json_type(prefixes)}")
    elif not prefixes:
        problems.append("`prefixes` is empty: no group would be monitored")
    else:
        for i, p in enumerate(prefixes):
            if not isinstance(p, str):
                problems.append(f"`prefixes[{i}]` must be a string, not {json_type(p)}")
            elif p == "":
                problems.append(f"`prefixes[{i}]` is empty: it would match every topic")

    keep = config.get("keep-without-topics", True)
    if not isinstance(keep, bool):
        problems.append(f"`keep-without-topics` must be true or false, not {json_type(keep)}")

    if problems:
        return problems, None
    return [], (tuple(prefixes), keep)


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


# Parsed on the first `accept`, never at import time: componentize-py runs the module's top
# level while building the component, where there is no host to ask.
_settings = None


def settings():
    global _settings
    if _settings is None:
        problems, parsed = problems_of(host.plugin_config())
        if problems:
            # The host validated the config before any call, so this cannot happen; trapping
            # makes the host keep the group (fail open) and report the plugin.
            raise RuntimeError("invalid config: " + "; ".join(problems))
        _settings = parsed
    return _settings


class Plugin(exports.Plugin):
    def metadata(self) -> types.PluginMetadata:
        return types.PluginMetadata(
            name=NAME,
            version=VERSION,
            description="Monitors only the groups that consume a topic starting with one of "
            "the configured prefixes.",
            config_schema=json.dumps(CONFIG_SCHEMA),
        )

    def validate_config(self, config: str) -> None:
        problems, _ = problems_of(config)
        if problems:
            # result<_, list<string>>: the error is an `Err` exception carrying the list.
            raise Err(problems)


class WitWorld(wit_world.WitWorld):
    def accept_group(self, group: types.GroupInfo) -> bool:
        prefixes, keep_without_topics = settings()
        topics = set(group.topics)
        for member in group.members:
            for assignment in member.assignment:
                topics.add(assignment.topic)
        if not topics:
            return keep_without_topics
        return any(t.startswith(prefixes) for t in topics)
