// console-consumers: a Warren `group-filter` plugin in JavaScript (componentize-js).
//
// Leaves out throwaway consumer groups: the ones `kafka-console-consumer` creates
// (`console-consumer-<n>`), Confluent's internal groups (`_confluent*`), and any group whose
// name starts with one of the configured extra prefixes:
//
//     [plugin.console-consumers]
//     config = { extra-prefixes = ["tmp-", "test-"] }
//
// Every other group is monitored. `{}` is a valid config.
//
// Built by scripts/build-polyglot-plugins into plugins/target/polyglot/console_consumers_js.wasm.

import { pluginConfig } from 'warren:plugin/host@0.1.0';

const NAME = 'console-consumers';
const VERSION = '0.1.0';

/** Always left out, whatever the config says. */
const BUILT_IN_PREFIXES = ['console-consumer-', '_confluent'];

const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'console-consumers configuration',
  type: 'object',
  properties: {
    'extra-prefixes': {
      description:
        'Group-name prefixes left out on top of `console-consumer-` and `_confluent`.',
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
    },
  },
  additionalProperties: false,
};

const KNOWN_KEYS = ['extra-prefixes'];

function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Every problem with a config document, and the prefixes to leave out when there is none. */
function check(configJson) {
  let config;
  try {
    config = JSON.parse(configJson);
  } catch (e) {
    return { problems: [`the config is not valid JSON: ${e.message}`] };
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    return { problems: [`the config must be a JSON object, not ${jsonType(config)}`] };
  }
  const problems = [];
  for (const key of Object.keys(config).sort()) {
    if (!KNOWN_KEYS.includes(key)) {
      problems.push(`unknown key \`${key}\` (known keys: ${KNOWN_KEYS.map((k) => `\`${k}\``).join(', ')})`);
    }
  }
  const extra = 'extra-prefixes' in config ? config['extra-prefixes'] : [];
  if (!Array.isArray(extra)) {
    problems.push(`\`extra-prefixes\` must be a list of strings, not ${jsonType(extra)}`);
  } else {
    extra.forEach((p, i) => {
      if (typeof p !== 'string') {
        problems.push(`\`extra-prefixes[${i}]\` must be a string, not ${jsonType(p)}`);
      } else if (p === '') {
        problems.push(`\`extra-prefixes[${i}]\` is empty: it would leave out every group`);
      }
    });
  }
  return problems.length ? { problems } : { problems, prefixes: [...BUILT_IN_PREFIXES, ...extra] };
}

// Read on the first `accept`, never at module top level: componentize-js runs the top level
// while building the component (a Wizer snapshot), where there is no host config to read.
let prefixes = null;

export const plugin = {
  metadata() {
    return {
      name: NAME,
      version: VERSION,
      description:
        'Leaves out throwaway groups: console-consumer-*, _confluent* and configured prefixes.',
      configSchema: JSON.stringify(CONFIG_SCHEMA),
    };
  },

  // result<_, list<string>>: returning is `ok`; the `err` payload is whatever is thrown,
  // converted to the WIT type. Throw an array of strings and nothing else: a thrown string
  // would become a list of its characters, a thrown Error an empty list.
  validateConfig(config) {
    let problems;
    try {
      problems = check(config).problems;
    } catch (e) {
      problems = [`the config could not be checked: ${String(e)}`];
    }
    if (problems.length) throw problems;
  },
};

export function acceptGroup(group) {
  if (prefixes === null) {
    const checked = check(pluginConfig());
    if (checked.problems.length) {
      // The host validated the config before calling; a trap here makes it keep the group.
      throw new Error(`invalid config: ${checked.problems.join('; ')}`);
    }
    prefixes = checked.prefixes;
  }
  return !prefixes.some((p) => group.group.startsWith(p));
}
