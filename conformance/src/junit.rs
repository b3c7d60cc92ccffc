//! JUnit XML (`--junit FILE`): one `<testsuite>` per area, one `<testcase>` per vector, for CI systems
//! that show test reports. A failure the baseline expects is written as `<skipped>` with its reason,
//! so that the report is green exactly when the run is.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::report::{level_name, Report, VectorReport};
use crate::runner::Status;

/// The JUnit XML of `report`.
pub fn render(report: &Report) -> String {
    let mut by_area: BTreeMap<&str, Vec<&VectorReport>> = BTreeMap::new();
    for v in &report.vectors {
        by_area.entry(&v.area).or_default().push(v);
    }
    let counts = |vs: &[&VectorReport]| {
        let failures = vs
            .iter()
            .filter(|v| v.status == Status::Failed && !v.expected_failure)
            .count();
        let skipped = vs
            .iter()
            .filter(|v| v.status == Status::Skipped || v.expected_failure)
            .count();
        let time: f64 = vs.iter().map(|v| v.ms).sum::<f64>() / 1000.0;
        (vs.len(), failures, skipped, time)
    };
    let all: Vec<&VectorReport> = report.vectors.iter().collect();
    let (tests, failures, skipped, _) = counts(&all);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"iotp2p conformance {} ({})\" tests=\"{tests}\" failures=\"{failures}\" \
         errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\">",
        esc(&report.suite_version),
        esc(&report.testee.name),
        report.summary.seconds
    );
    for (area, vs) in &by_area {
        let (tests, failures, skipped, time) = counts(vs);
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" \
             skipped=\"{skipped}\" time=\"{time:.3}\">",
            esc(area)
        );
        for v in vs {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.6}\"",
                esc(area),
                esc(&v.id),
                v.ms / 1000.0
            );
            let requirements = format!("{} {}", level_name(v.level), v.requirements.join(" "));
            match (v.status, v.expected_failure) {
                (Status::Passed, _) => x.push_str("/>\n"),
                (Status::Failed, false) => {
                    let _ = writeln!(
                        x,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        esc(v.detail.lines().next().unwrap_or("")),
                        esc(&requirements),
                        esc(&v.detail)
                    );
                }
                (Status::Failed, true) => {
                    let _ = writeln!(
                        x,
                        ">\n      <skipped message=\"known failure (baseline)\"/>\n      \
                         <system-out>{}</system-out>\n    </testcase>",
                        esc(&v.detail)
                    );
                }
                (Status::Skipped, _) => {
                    let _ = writeln!(
                        x,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        esc(&v.detail)
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}
