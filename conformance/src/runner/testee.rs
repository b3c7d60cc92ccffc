//! The implementation under test as a child process: start it, shake hands, exchange one line per
//! request with a timeout, and notice when it crashes or hangs so that the runner can restart it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::protocol::{Request, Response, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
use crate::vector::SUITE_VERSION;

/// How much of the testee's standard error is kept for failure reports.
const STDERR_TAIL: usize = 2048;
/// How many lines of it a failure report quotes.
const STDERR_LINES: usize = 6;

/// The command that starts the testee: a program and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TesteeCommand {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The command as the user wrote it.
    pub display: String,
}

impl TesteeCommand {
    /// Splits `CMD ARGS` into words as a POSIX shell would for simple commands: blanks separate
    /// words, `'...'` and `"..."` quote, `\` escapes the next character (outside single quotes).
    /// No variables, globs or redirections: wrap the command in `sh -c '...'` for those.
    pub fn parse(line: &str) -> Result<TesteeCommand, String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                '\'' => {
                    in_word = true;
                    loop {
                        match chars.next() {
                            Some('\'') => break,
                            Some(c) => word.push(c),
                            None => return Err("unclosed ' in the testee command".into()),
                        }
                    }
                }
                '"' => {
                    in_word = true;
                    loop {
                        match chars.next() {
                            Some('"') => break,
                            Some('\\') => match chars.next() {
                                Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                                Some(c) => {
                                    word.push('\\');
                                    word.push(c);
                                }
                                None => return Err("unclosed \" in the testee command".into()),
                            },
                            Some(c) => word.push(c),
                            None => return Err("unclosed \" in the testee command".into()),
                        }
                    }
                }
                '\\' => {
                    in_word = true;
                    match chars.next() {
                        Some(c) => word.push(c),
                        None => return Err("the testee command ends with \\".into()),
                    }
                }
                c => {
                    in_word = true;
                    word.push(c);
                }
            }
        }
        if in_word {
            words.push(word);
        }
        let mut words = words.into_iter();
        let program = words.next().ok_or("the testee command is empty")?;
        Ok(TesteeCommand {
            program,
            args: words.collect(),
            display: line.trim().to_string(),
        })
    }
}

/// What the testee declared in its handshake.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hello {
    /// Protocol version.
    pub protocol: u32,
    /// Implementation name.
    pub name: String,
    /// Implementation version.
    pub version: String,
    /// Declared features.
    pub features: BTreeSet<String>,
    /// Choices for implementation-defined behaviours.
    pub choices: BTreeMap<String, String>,
}

/// Why an exchange produced no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// No line came back in time: the testee hangs (it has been killed).
    Timeout(Duration),
    /// The testee closed its output or exited (crashed): how, and the end of its standard error.
    Exited(String),
}

impl std::fmt::Display for Trouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trouble::Timeout(t) => write!(
                f,
                "the testee hung: no response within {} (killed and restarted)",
                super::format_duration(*t)
            ),
            Trouble::Exited(how) => write!(f, "the testee crashed: {how} (restarted)"),
        }
    }
}

enum Line {
    Text(String),
    End(Option<String>),
}

/// The testee's standard error as it is read, and a signal that the reader thread finished.
type StderrCapture = (Arc<Mutex<Vec<u8>>>, Receiver<()>);

/// A running testee.
pub struct Testee {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Line>,
    stderr: Option<StderrCapture>,
    /// The handshake's answer.
    pub hello: Hello,
    /// The raw lines of the handshake (request, response), for replay.
    pub hello_lines: (String, String),
    /// When set (`--debug`), every line sent and received after the handshake, in order.
    pub transcript: Option<Vec<(String, String)>>,
}

impl Testee {
    /// Starts the testee and shakes hands. With `inherit_stderr` the testee writes its standard error
    /// to the runner's (for `--debug`); otherwise the runner keeps its end for failure reports.
    pub fn start(
        command: &TesteeCommand,
        startup_timeout: Duration,
        inherit_stderr: bool,
    ) -> Result<Testee, String> {
        let mut cmd = Command::new(&command.program);
        cmd.args(&command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if inherit_stderr {
                Stdio::inherit()
            } else {
                Stdio::piped()
            });
        // Its own process group, so that killing a hung testee also ends what it started (a wrapper
        // script's children).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start the testee `{}`: {e}", command.display))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) => {
                        let _ = tx.send(Line::End(None));
                        return;
                    }
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&buf).into_owned();
                        if tx.send(Line::Text(text)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Line::End(Some(e.to_string())));
                        return;
                    }
                }
            }
        });
        let stderr = child.stderr.take().map(|mut err| {
            let tail = Arc::new(Mutex::new(Vec::new()));
            let (done_tx, done) = mpsc::channel();
            let keep = Arc::clone(&tail);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = err.read(&mut chunk) {
                    let mut t = keep.lock().unwrap_or_else(|p| p.into_inner());
                    t.extend_from_slice(&chunk[..n]);
                    if t.len() > STDERR_TAIL {
                        let cut = t.len() - STDERR_TAIL;
                        t.drain(..cut);
                    }
                }
                let _ = done_tx.send(());
            });
            (tail, done)
        });
        let stdin = child.stdin.take();
        let mut testee = Testee {
            child,
            stdin,
            lines,
            stderr,
            hello: Hello::default(),
            hello_lines: (String::new(), String::new()),
            transcript: None,
        };
        let request = line_of(&Request::Hello {
            protocol: PROTOCOL_VERSION,
            suite_version: SUITE_VERSION.to_string(),
        });
        let answer = match testee.exchange(&request, startup_timeout) {
            Ok(answer) => answer,
            Err(trouble) => {
                testee.kill();
                return Err(format!(
                    "the testee `{}` did not answer the handshake: {}",
                    command.display,
                    match trouble {
                        Trouble::Timeout(t) =>
                            format!("no answer within {}", super::format_duration(t)),
                        Trouble::Exited(how) => how,
                    }
                ));
            }
        };
        let hello = match serde_json::from_str::<Response>(&answer) {
            Ok(Response::Hello {
                protocol,
                name,
                version,
                features,
                choices,
            }) => Hello {
                protocol,
                name,
                version,
                features: features.into_iter().collect(),
                choices,
            },
            Ok(other) => {
                testee.kill();
                return Err(format!(
                    "the testee answered the handshake with a `{}` message instead of `hello`: {answer}",
                    kind(&other)
                ));
            }
            Err(e) => {
                testee.kill();
                return Err(format!(
                    "the testee's handshake answer is not a hello message ({e}): {answer}"
                ));
            }
        };
        // Version 2 only adds requests: a version-1 testee runs, and the vectors of the later
        // operations are not claimed (`check::not_claimed`).
        if !(MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&hello.protocol) {
            testee.kill();
            return Err(format!(
                "the testee {} speaks protocol version {}, this runner versions \
                 {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}",
                hello.name, hello.protocol
            ));
        }
        testee.hello = hello;
        testee.hello_lines = (request, answer);
        Ok(testee)
    }

    /// Sends one line and waits up to `timeout` for the answer line (blank lines are ignored). On
    /// trouble the testee is dead (killed if it hung) and must not be used again.
    pub fn exchange(&mut self, line: &str, timeout: Duration) -> Result<String, Trouble> {
        let sent = match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush()),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        if let Err(e) = sent {
            return Err(Trouble::Exited(
                self.exit_report(&format!("its input is closed ({e})")),
            ));
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(Line::Text(text)) => {
                    let text = text.trim();
                    if !text.is_empty() {
                        if let Some(t) = self.transcript.as_mut() {
                            t.push((line.to_string(), text.to_string()));
                        }
                        return Ok(text.to_string());
                    }
                }
                Ok(Line::End(error)) => {
                    let why = match error {
                        Some(e) => format!("reading its output failed ({e})"),
                        None => "it closed its output".into(),
                    };
                    return Err(Trouble::Exited(self.exit_report(&why)));
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    return Err(Trouble::Timeout(timeout));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Trouble::Exited(self.exit_report("it closed its output")));
                }
            }
        }
    }

    /// Says `bye` and lets the testee exit (killing it if it does not within a second).
    pub fn stop(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(line_of(&Request::Bye).as_bytes());
            let _ = stdin.write_all(b"\n");
            let _ = stdin.flush();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(1);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        self.kill();
    }

    /// Kills the testee (and its process group) and reaps it.
    pub fn kill(&mut self) {
        self.stdin = None;
        #[cfg(unix)]
        {
            // The group id is the child's pid (see `process_group(0)` above).
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// How the testee ended (waiting briefly for its exit status) and the end of its standard error.
    fn exit_report(&mut self, why: &str) -> String {
        self.stdin = None;
        let mut status = None;
        let deadline = std::time::Instant::now() + Duration::from_millis(500);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut report = match status {
            Some(s) => format!("{why}; {s}"),
            None => {
                self.kill();
                format!("{why}; it was still running and has been killed")
            }
        };
        if let Some((tail, done)) = &self.stderr {
            let _ = done.recv_timeout(Duration::from_millis(200));
            let tail = tail.lock().unwrap_or_else(|p| p.into_inner());
            let text = String::from_utf8_lossy(&tail);
            let lines: Vec<&str> = text.trim().lines().collect();
            if !lines.is_empty() {
                report.push_str("; its standard error says:\n");
                if lines.len() <= STDERR_LINES {
                    report.push_str(&lines.join("\n"));
                } else {
                    // The first lines usually say what happened (a panic message), the last ones
                    // where.
                    report.push_str(&lines[..STDERR_LINES / 2].join("\n"));
                    report.push_str("\n...\n");
                    report.push_str(&lines[lines.len() - STDERR_LINES / 2..].join("\n"));
                }
            }
        }
        report
    }
}

impl Drop for Testee {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// A message as one protocol line (without the newline).
pub fn line_of<T: serde::Serialize>(message: &T) -> String {
    serde_json::to_string(message).expect("protocol messages serialize")
}

/// The `type` of a response, for messages.
pub fn kind(response: &Response) -> &'static str {
    match response {
        Response::Hello { .. } => "hello",
        Response::Ok { .. } => "ok",
        Response::Error { .. } => "error",
        Response::Skipped { .. } => "skipped",
        Response::Errored { .. } => "errored",
        Response::Context { .. } => "context",
        Response::Sealed { .. } => "sealed",
        Response::Opened { .. } => "opened",
        Response::Frames { .. } => "frames",
        Response::Reassembled { .. } => "reassembled",
        Response::Address { .. } => "address",
        Response::Handshake { .. } => "handshake",
        Response::NodeId { .. } => "node-id",
        Response::Verified { .. } => "verified",
        Response::Signature { .. } => "signature",
        Response::CheckDigit { .. } => "check-digit",
        Response::Spake2plus { .. } => "spake2plus",
        Response::Outputs { .. } => "outputs",
    }
}

#[cfg(test)]
mod tests {
    use super::TesteeCommand;

    #[test]
    fn commands_split_like_a_shell() {
        let c = TesteeCommand::parse(r#"python3 'my testee.py' --name="a b" x\ y"#).unwrap();
        assert_eq!(c.program, "python3");
        assert_eq!(c.args, ["my testee.py", "--name=a b", "x y"]);
        assert!(TesteeCommand::parse("  ").is_err());
        assert!(TesteeCommand::parse("a 'b").is_err());
    }
}
