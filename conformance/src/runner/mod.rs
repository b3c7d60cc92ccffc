//! The runner: drives an implementation under test through the vectors (protocol in
//! [`crate::protocol`]), restarting it when it crashes or hangs, and judges every response.
//!
//! - [`testee`]: the child process, handshake and timed exchanges;
//! - [`check`]: the verdict on one response;
//! - [`scenario`]: scenarios, in which the runner plays the node's peers;
//! - [`select`]: `--filter` and `--shard`;
//! - [`debug`]: `--debug ID`, one vector with its exact protocol lines.

pub mod check;
pub mod debug;
mod pairing;
pub mod scenario;
pub mod select;
pub mod testee;

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::protocol::{Request, Response};
use crate::suite::Entry;
use crate::vector::{Level, Operation, Vector};
use check::Verdict;
use testee::{line_of, Hello, Testee, TesteeCommand, Trouble};

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The testee.
    pub command: TesteeCommand,
    /// How long the testee may take for one vector.
    pub timeout: Duration,
    /// How long it may take to start and answer the handshake.
    pub startup_timeout: Duration,
    /// Whether to draw a progress bar (on standard error, when it is a terminal).
    pub progress: bool,
}

/// The result of one vector.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The testee produced the prescribed outcome.
    Passed,
    /// It did not, or it crashed, hung, errored or broke the protocol.
    Failed,
    /// Not run: not claimed by the testee's handshake, or skipped by the testee.
    Skipped,
}

/// Why a vector failed or was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// A result other than the prescribed one.
    WrongResult,
    /// The testee answered `errored`.
    Errored,
    /// The testee exited or closed its output.
    Crashed,
    /// The testee did not answer in time.
    Hung,
    /// The answer was not a protocol message for this vector.
    Protocol,
    /// The testee could not be restarted after an earlier crash or hang.
    Unavailable,
    /// The vector needs a feature or choice the testee did not declare.
    NotClaimed,
    /// The testee answered `skipped`.
    SkippedByTestee,
}

/// The result of one vector.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorResult {
    /// The vector id.
    pub id: String,
    /// Its area.
    pub area: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// The requirement IDs it tests.
    pub requirements: Vec<String>,
    /// Passed, failed or skipped.
    pub status: Status,
    /// Why, unless passed.
    pub cause: Option<Cause>,
    /// What was expected and what came (empty when passed).
    pub detail: String,
    /// Time from request to response.
    pub duration: Duration,
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct Run {
    /// The testee's handshake.
    pub hello: Hello,
    /// One result per selected vector, in order.
    pub results: Vec<VectorResult>,
    /// How many times the testee was restarted after a crash, a hang or a protocol error.
    pub restarts: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

/// The request for a vector.
pub fn request_for(vector: &Vector) -> Request {
    if let (true, Some(request)) = (vector.operation.carries_request(), &vector.input.request) {
        // The suite checked that the request is of the vector's operation and has its id.
        return request.clone();
    }
    match vector.operation {
        Operation::Decode => Request::Decode {
            id: vector.id.clone(),
            schema_type: vector.type_name.clone(),
            hex: vector.input.hex.clone().unwrap_or_default(),
        },
        // An engine operation without its request (a vector set that `Suite` did not check).
        _ => Request::Encode {
            id: vector.id.clone(),
            schema_type: vector.type_name.clone(),
            json: vector.input.json.clone(),
            json_text: vector.input.json_text.clone(),
        },
    }
}

/// The vector id a request carries (none for `hello` and `bye`).
pub fn request_id(request: &Request) -> Option<&str> {
    match request {
        Request::Hello { .. } | Request::Bye => None,
        Request::Decode { id, .. }
        | Request::Encode { id, .. }
        | Request::DeriveContext { id, .. }
        | Request::Seal { id, .. }
        | Request::Open { id, .. }
        | Request::Fragment { id, .. }
        | Request::Reassemble { id, .. }
        | Request::CheckAddress { id, .. }
        | Request::Edhoc { id, .. }
        | Request::NodeId { id, .. }
        | Request::VerifyStatement { id, .. }
        | Request::SignStatement { id, .. }
        | Request::CheckDigit { id, .. }
        | Request::Spake2plus { id, .. }
        | Request::ScenarioStart { id, .. }
        | Request::Datagram { id, .. }
        | Request::Tick { id, .. }
        | Request::App { id, .. }
        | Request::Rehome { id, .. }
        | Request::Presence { id, .. }
        | Request::Change { id, .. }
        | Request::Event { id, .. }
        | Request::Restart { id, .. }
        | Request::ScenarioEnd { id } => Some(id),
    }
}

/// The id a response answers for.
pub fn response_id(response: &Response) -> Option<&str> {
    match response {
        Response::Hello { .. } => None,
        Response::Ok { id, .. }
        | Response::Error { id, .. }
        | Response::Skipped { id, .. }
        | Response::Errored { id, .. }
        | Response::Context { id, .. }
        | Response::Sealed { id, .. }
        | Response::Opened { id, .. }
        | Response::Frames { id, .. }
        | Response::Reassembled { id, .. }
        | Response::Address { id, .. }
        | Response::Handshake { id, .. }
        | Response::NodeId { id, .. }
        | Response::Verified { id, .. }
        | Response::Signature { id, .. }
        | Response::CheckDigit { id, .. }
        | Response::Spake2plus { id, .. }
        | Response::Outputs { id, .. } => Some(id),
    }
}

/// Runs `entries` against the testee. Fails only when the testee cannot be started (or answers the
/// handshake wrongly) at the outset; later crashes and hangs are results.
pub fn run(entries: &[Entry<'_>], options: &Options) -> Result<Run, String> {
    let started = Instant::now();
    let first = Testee::start(&options.command, options.startup_timeout, false)?;
    let hello = first.hello.clone();
    let mut testee = Some(first);
    let mut unavailable: Option<String> = None;
    let mut restarts = 0;

    let bar = if options.progress {
        ProgressBar::with_draw_target(Some(entries.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {msg}")
            .expect("the template is valid")
            .progress_chars("=> "),
    );

    let mut results = Vec::with_capacity(entries.len());
    for entry in entries {
        let vector = entry.vector;
        bar.set_message(entry.area.to_string());
        bar.inc(1);
        let mut result = VectorResult {
            id: vector.id.clone(),
            area: entry.area.to_string(),
            level: vector.level,
            requirements: vector.requirements.clone(),
            status: Status::Passed,
            cause: None,
            detail: String::new(),
            duration: Duration::ZERO,
        };
        if let Some(reason) = check::not_claimed(vector, &hello) {
            mark(&mut result, Status::Skipped, Cause::NotClaimed, reason);
            results.push(result);
            continue;
        }
        if let Some(why) = &unavailable {
            mark(&mut result, Status::Failed, Cause::Unavailable, why.clone());
            results.push(result);
            continue;
        }
        if testee.is_none() {
            match Testee::start(&options.command, options.startup_timeout, false) {
                Ok(t) => {
                    restarts += 1;
                    testee = Some(t);
                }
                Err(e) => {
                    let why = format!("the testee could not be restarted: {e}");
                    bar.suspend(|| eprintln!("{why}"));
                    mark(&mut result, Status::Failed, Cause::Unavailable, why.clone());
                    unavailable = Some(why);
                    results.push(result);
                    continue;
                }
            }
        }
        let running = testee.as_mut().expect("started above");
        if let (crate::vector::Operation::Scenario, Some(script)) =
            (vector.operation, &vector.input.scenario)
        {
            let sent = Instant::now();
            let outcome = scenario::run(running, &vector.id, script, options.timeout);
            result.duration = sent.elapsed();
            match outcome {
                Err(trouble) => {
                    testee = None;
                    mark_trouble(&mut result, &trouble);
                }
                Ok(verdict) => mark_verdict(&mut result, verdict, Cause::WrongResult),
            }
            results.push(result);
            continue;
        }
        let line = line_of(&request_for(vector));
        let sent = Instant::now();
        let answer = running.exchange(&line, options.timeout);
        result.duration = sent.elapsed();
        match answer {
            Err(trouble) => {
                testee = None;
                mark_trouble(&mut result, &trouble);
            }
            Ok(answer) => match serde_json::from_str::<Response>(&answer) {
                Err(e) => mark(
                    &mut result,
                    Status::Failed,
                    Cause::Protocol,
                    format!("the answer is not a protocol message ({e}): {answer}"),
                ),
                Ok(response) if response_id(&response) != Some(vector.id.as_str()) => {
                    // Out of step: restart so that the next vector starts clean.
                    testee = None;
                    mark(
                        &mut result,
                        Status::Failed,
                        Cause::Protocol,
                        format!("the answer is not for this vector (restarted): {answer}"),
                    );
                }
                Ok(response) => {
                    let cause = if matches!(response, Response::Errored { .. }) {
                        Cause::Errored
                    } else {
                        Cause::WrongResult
                    };
                    mark_verdict(&mut result, check::judge(vector, &hello, &response), cause);
                }
            },
        }
        results.push(result);
    }
    bar.finish_and_clear();
    if let Some(t) = testee {
        t.stop();
    }
    Ok(Run {
        hello,
        results,
        restarts,
        elapsed: started.elapsed(),
    })
}

/// A testee that crashed or hung fails the vector.
fn mark_trouble(result: &mut VectorResult, trouble: &Trouble) {
    let cause = match trouble {
        Trouble::Timeout(_) => Cause::Hung,
        Trouble::Exited(_) => Cause::Crashed,
    };
    mark(result, Status::Failed, cause, trouble.to_string());
}

/// The result a verdict gives; a failure has `cause`.
fn mark_verdict(result: &mut VectorResult, verdict: Verdict, cause: Cause) {
    match verdict {
        Verdict::Pass => {}
        Verdict::Fail(detail) => mark(result, Status::Failed, cause, detail),
        Verdict::Skip(reason) => mark(
            result,
            Status::Skipped,
            Cause::SkippedByTestee,
            format!("skipped by the testee: {reason}"),
        ),
    }
}

fn mark(result: &mut VectorResult, status: Status, cause: Cause, detail: String) {
    result.status = status;
    result.cause = Some(cause);
    result.detail = detail;
}

/// Parses a duration: `250ms`, `5s`, `1.5s`, `2m`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (write 250ms, 5s or 2m)"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("`{text}` is not a positive duration"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// A duration for people: `250ms`, `1.5s`.
pub fn format_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert_eq!(format_duration(Duration::from_millis(200)), "200ms");
    }
}
