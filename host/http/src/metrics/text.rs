//! Prometheus' text format, written straight into the body: family headers, escaped label
//! values and sample values. A large render writes well over half a million lines, so the
//! per-group and per-partition families go through [`Line`], which allocates nothing per line;
//! Warren's own few series use the simpler [`gauge`].

use std::fmt::Write as _;

/// A `# HELP` / `# TYPE` header.
pub(super) fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value, escaped as the text format wants (`\`, `"` and newlines).
pub(super) fn esc(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    push_escaped(&mut s, value);
    s
}

/// Appends `value` escaped; names that need no escaping (nearly all) are copied whole.
pub(super) fn push_escaped(out: &mut String, value: &str) {
    if !value.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// One sample value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Sample {
    Int(i64),
    Count(u64),
    /// Milliseconds, written as seconds with three decimals.
    Millis(u64),
}

impl Sample {
    fn push(self, out: &mut String) {
        let mut digits = itoa::Buffer::new();
        match self {
            Sample::Int(v) => out.push_str(digits.format(v)),
            Sample::Count(v) => out.push_str(digits.format(v)),
            Sample::Millis(ms) => {
                out.push_str(digits.format(ms / 1000));
                let fraction = ms % 1000;
                out.push_str(match fraction {
                    0..10 => ".00",
                    10..100 => ".0",
                    _ => ".",
                });
                out.push_str(digits.format(fraction));
            }
        }
    }
}

/// One series line under construction: `name{` first, then label pieces, then the value.
pub(super) struct Line<'a>(&'a mut String);

impl<'a> Line<'a> {
    pub(super) fn start(out: &'a mut String, name: &str) -> Self {
        out.push_str(name);
        out.push('{');
        Line(out)
    }

    /// Label text that is already escaped (`name="value"` pairs, commas included).
    pub(super) fn raw(self, labels: &str) -> Self {
        self.0.push_str(labels);
        self
    }

    /// `,label="value"`, escaping the value.
    pub(super) fn label(self, label: &str, value: &str) -> Self {
        self.0.push(',');
        self.0.push_str(label);
        self.0.push_str("=\"");
        push_escaped(self.0, value);
        self.0.push('"');
        self
    }

    /// `,partition="n"`.
    pub(super) fn partition(self, partition: i32) -> Self {
        self.0.push_str(",partition=\"");
        self.0.push_str(itoa::Buffer::new().format(partition));
        self.0.push('"');
        self
    }

    pub(super) fn value(self, value: Sample) {
        self.0.push_str("} ");
        value.push(self.0);
        self.0.push('\n');
    }
}

/// One family of few series: header, then a line per `(labels, value)`.
pub(super) fn gauge<I>(out: &mut String, name: &str, help: &str, series: I)
where
    I: IntoIterator<Item = (String, String)>,
{
    family(out, name, "gauge", help);
    for (labels, value) in series {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_print_as_the_float_formatting_did() {
        for ms in [
            0,
            1,
            9,
            10,
            99,
            100,
            999,
            1000,
            1001,
            61_234,
            1_700_000_000_123,
        ] {
            let mut s = String::new();
            Sample::Millis(ms).push(&mut s);
            assert_eq!(s, format!("{:.3}", ms as f64 / 1000.0), "{ms}");
        }
    }

    #[test]
    fn a_line_escapes_its_label_values_and_nothing_else() {
        let mut out = String::new();
        Line::start(&mut out, "m")
            .raw("cluster=\"c\"")
            .label("topic", "a\"b\\c\nd")
            .partition(-1)
            .value(Sample::Int(-5));
        assert_eq!(
            out,
            "m{cluster=\"c\",topic=\"a\\\"b\\\\c\\nd\",partition=\"-1\"} -5\n"
        );
    }
}
