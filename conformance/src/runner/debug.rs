//! `--debug ID`: runs the selected vectors one by one on a fresh testee, printing every protocol line
//! exchanged and a shell command that replays them by hand.

use std::io::Write;

use super::check::{self, Verdict};
use super::testee::{line_of, Testee};
use super::{request_for, Options};
use crate::protocol::{Request, Response};
use crate::suite::Entry;

/// Runs `entries` verbosely, writing to `out`; the testee's standard error goes to the runner's.
/// Returns whether every vector passed (or was not claimed).
pub fn debug(
    entries: &[Entry<'_>],
    options: &Options,
    out: &mut dyn Write,
) -> Result<bool, String> {
    let io = |e: std::io::Error| e.to_string();
    let mut all_passed = true;
    for entry in entries {
        let v = entry.vector;
        writeln!(
            out,
            "vector {} ({}, {} {})",
            v.id,
            entry.area,
            match v.level {
                crate::vector::Level::Must => "MUST",
                crate::vector::Level::Should => "SHOULD",
            },
            v.requirements.join(" ")
        )
        .map_err(io)?;
        writeln!(out, "  {}", v.description).map_err(io)?;
        writeln!(out, "  expected: {}", check::describe(&v.expect)).map_err(io)?;
        let mut testee = Testee::start(&options.command, options.startup_timeout, true)?;
        let request = line_of(&request_for(v));
        let (hello_request, hello_answer) = testee.hello_lines.clone();
        writeln!(out, "→ {hello_request}\n← {hello_answer}").map_err(io)?;
        if let Some(reason) = check::not_claimed(v, &testee.hello) {
            writeln!(out, "  ({reason}; sending the request anyway)").map_err(io)?;
        }
        if let (crate::vector::Operation::Scenario, Some(script)) = (v.operation, &v.input.scenario)
        {
            // A scenario is many exchanges: print them all, then the verdict.
            testee.transcript = Some(Vec::new());
            let verdict = match super::scenario::run(&mut testee, &v.id, script, options.timeout) {
                Ok(verdict) => verdict,
                Err(trouble) => Verdict::Fail(trouble.to_string()),
            };
            let lines = testee.transcript.take().unwrap_or_default();
            for (sent, got) in &lines {
                writeln!(out, "→ {sent}\n← {got}").map_err(io)?;
            }
            testee.stop();
            all_passed &= matches!(verdict, Verdict::Pass | Verdict::Skip(_));
            match &verdict {
                Verdict::Pass => writeln!(out, "verdict: passed"),
                Verdict::Fail(why) => writeln!(out, "verdict: FAILED: {why}"),
                Verdict::Skip(why) => writeln!(out, "verdict: skipped by the testee: {why}"),
            }
            .map_err(io)?;
            let mut replay: Vec<String> = vec![shell_quote(&hello_request)];
            replay.extend(lines.iter().map(|(sent, _)| shell_quote(sent)));
            replay.push(shell_quote(&line_of(&Request::Bye)));
            writeln!(
                out,
                "replay by hand:\n  printf '%s\\n' {} | {}\n",
                replay.join(" "),
                options.command.display
            )
            .map_err(io)?;
            continue;
        }
        writeln!(out, "→ {request}").map_err(io)?;
        let verdict = match testee.exchange(&request, options.timeout) {
            Ok(answer) => {
                writeln!(out, "← {answer}").map_err(io)?;
                match serde_json::from_str::<Response>(&answer) {
                    Ok(response) => check::judge(v, &testee.hello, &response),
                    Err(e) => Verdict::Fail(format!("the answer is not a protocol message: {e}")),
                }
            }
            Err(trouble) => Verdict::Fail(trouble.to_string()),
        };
        testee.stop();
        match &verdict {
            Verdict::Pass => writeln!(out, "verdict: passed"),
            Verdict::Fail(why) => {
                all_passed = false;
                writeln!(out, "verdict: FAILED: {why}")
            }
            Verdict::Skip(why) => writeln!(out, "verdict: skipped by the testee: {why}"),
        }
        .map_err(io)?;
        writeln!(
            out,
            "replay by hand:\n  printf '%s\\n' {} {} {} | {}\n",
            shell_quote(&hello_request),
            shell_quote(&request),
            shell_quote(&line_of(&Request::Bye)),
            options.command.display
        )
        .map_err(io)?;
    }
    Ok(all_passed)
}

/// `text` in single quotes for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
