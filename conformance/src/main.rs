//! `iotp2p-conformance`: runs the conformance vectors against an implementation under test, writes
//! the vectors, and reports which requirements of the spec they cover. See conformance/README.md.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use iotp2p_conformance::baseline::{Assessment, Baseline};
use iotp2p_conformance::report::{Context, Report};
use iotp2p_conformance::runner::select::{select, Shard};
use iotp2p_conformance::runner::testee::TesteeCommand;
use iotp2p_conformance::runner::{self, parse_duration, Options, Status};
use iotp2p_conformance::suite::{self, Suite};
use iotp2p_conformance::{coverage, generate, junit};

/// The iotp2p conformance suite.
#[derive(Parser)]
#[command(name = "iotp2p-conformance", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the vectors against an implementation under test (a "testee").
    ///
    /// Exits with 0 when nothing unexpected happened, 1 on an unexpected failure, a baseline entry
    /// that now passes or matches nothing (or, with --strict, a skipped vector), 2 when the run could
    /// not start.
    Run(RunArgs),
    /// Write the vector files (one per area) and their JSON Schema.
    Generate {
        /// Output directory.
        #[arg(long, default_value_os_t = suite::default_dir())]
        out: PathBuf,
    },
    /// List every requirement ID of the spec with the vectors that test it, and the testable codec
    /// requirements that no vector reaches yet.
    Coverage {
        /// The spec directory.
        #[arg(long, default_value_os_t = coverage::default_spec_dir())]
        spec: PathBuf,
        /// The vector directory.
        #[arg(long, default_value_os_t = suite::default_dir())]
        vectors: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Exit with 1 when a testable codec requirement is unreached or a vector cites an unknown ID.
        #[arg(long)]
        check: bool,
    },
    /// Print a JSON Schema of the suite's formats.
    Schema {
        /// Which format.
        #[arg(value_enum, default_value_t = SchemaKind::VectorFile)]
        kind: SchemaKind,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    /// A vector file.
    VectorFile,
    /// A request from the runner to the testee.
    Request,
    /// A response from the testee to the runner.
    Response,
    /// A baseline file.
    Baseline,
    /// The JSON report of a run (--report).
    Report,
    /// The coverage report (coverage --json).
    Coverage,
}

#[derive(Parser)]
struct RunArgs {
    /// The command that starts the testee, e.g. 'python3 my_testee.py --fast' (split into words like
    /// a shell does; quotes and backslashes work, variables and redirections do not).
    #[arg(long, value_name = "CMD ARGS")]
    testee: String,
    /// The vector directory.
    #[arg(long, default_value_os_t = suite::default_dir())]
    vectors: PathBuf,
    /// Run only the vectors that a pattern selects: an id or glob over ids (`wire.uint.*`), an id
    /// prefix (`wire.uint`), an area, or a requirement ID (`IOTP-WIRE-8`). Repeatable.
    #[arg(long, value_name = "PATTERN")]
    filter: Vec<String>,
    /// Run shard K of N (from 1), e.g. 2/4: vectors are dealt round-robin.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// How long the testee may take to answer one vector before it is killed and restarted.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    timeout: std::time::Duration,
    /// How long the testee may take to start and answer the handshake.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    startup_timeout: std::time::Duration,
    /// A baseline file of known failures (see conformance/README.md).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Rewrite the baseline file to match this run (needs --baseline and a full run).
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Run only the vectors matching ID (an id or glob), printing every protocol line and a command
    /// that replays them by hand.
    #[arg(long, value_name = "ID")]
    debug: Option<String>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write the JSON report (suite version, vector-set hash, results per requirement, verdict).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Also fail when a vector is skipped (not claimed, or skipped by the testee): for CI that
    /// requires 100%.
    #[arg(long)]
    strict: bool,
    /// Draw no progress bar.
    #[arg(long)]
    no_progress: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Generate { out } => generate_vectors(&out),
        Command::Coverage {
            spec,
            vectors,
            json,
            check,
        } => report_coverage(&spec, &vectors, json, check),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::VectorFile => {
                    schemars::schema_for!(iotp2p_conformance::vector::VectorFile)
                }
                SchemaKind::Request => schemars::schema_for!(iotp2p_conformance::protocol::Request),
                SchemaKind::Response => {
                    schemars::schema_for!(iotp2p_conformance::protocol::Response)
                }
                SchemaKind::Baseline => schemars::schema_for!(Baseline),
                SchemaKind::Report => schemars::schema_for!(Report),
                SchemaKind::Coverage => schemars::schema_for!(coverage::Coverage),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).expect("schemas serialize")
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let command = TesteeCommand::parse(&args.testee)?;
    let suite = Suite::load(&args.vectors)?;
    let options = Options {
        command,
        timeout: args.timeout,
        startup_timeout: args.startup_timeout,
        progress: !args.no_progress,
    };
    let mut replay = format!(
        "iotp2p-conformance run --testee {}",
        shell_word(&args.testee)
    );
    if args.vectors != suite::default_dir() {
        replay.push_str(&format!(
            " --vectors {}",
            shell_word(&args.vectors.display().to_string())
        ));
    }

    if let Some(id) = &args.debug {
        let entries: Vec<_> = suite
            .entries()
            .filter(|e| iotp2p_conformance::glob::matches(id, &e.vector.id))
            .collect();
        if entries.is_empty() {
            return Err(format!("no vector has the id {id}"));
        }
        let mut out = std::io::stdout().lock();
        let passed = runner::debug::debug(&entries, &options, &mut out)?;
        return Ok(if passed {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }

    if args.update_baseline && (!args.filter.is_empty() || args.shard.is_some()) {
        return Err("--update-baseline needs a full run: drop --filter and --shard".into());
    }
    let mut baseline = match &args.baseline {
        Some(path) if args.update_baseline && !path.exists() => Some(Baseline::default()),
        Some(path) => Some(Baseline::load(path)?),
        None => None,
    };
    let entries = select(&suite, &args.filter, args.shard);
    if entries.is_empty() {
        return Err("no vector matches the --filter and --shard given".into());
    }
    let run = runner::run(&entries, &options)?;

    let all_ids: Vec<&str> = suite.entries().map(|e| e.vector.id.as_str()).collect();
    if args.update_baseline {
        let path = args.baseline.as_ref().expect("clap requires --baseline");
        let old = baseline.take().unwrap_or_default();
        let new = old.updated(&run.results);
        new.save(path)?;
        eprintln!(
            "updated {}: {} entries (was {})",
            path.display(),
            new.failures.len(),
            old.failures.len()
        );
        baseline = Some(new);
    }
    let assessment = match &baseline {
        Some(b) => b.assess(&all_ids, &run.results),
        None => Assessment {
            unexpected_failures: run
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .map(|r| r.id.clone())
                .collect(),
            ..Assessment::default()
        },
    };
    let context = Context {
        command: &args.testee,
        vector_set: &suite.hash,
        vectors_in_set: suite.len(),
        filters: &args.filter,
        shard: args.shard.map(|s| s.to_string()),
    };
    let report = Report::build(&context, &run, &assessment);
    if let Some(path) = &args.report {
        let mut text = serde_json::to_string_pretty(&report).expect("reports serialize");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, junit::render(&report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    report
        .print_summary(baseline.as_ref(), &assessment, &replay, &mut out)
        .map_err(|e| e.to_string())?;
    let _ = out.flush();
    let failed = assessment.fails() || (args.strict && report.summary.skipped > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn generate_vectors(out: &std::path::Path) -> Result<ExitCode, String> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} files")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    let summary = generate::write_all(out, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let summary = summary?;
    println!("{summary}");
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn report_coverage(
    spec: &std::path::Path,
    vectors: &std::path::Path,
    json: bool,
    check: bool,
) -> Result<ExitCode, String> {
    let suite = Suite::load(vectors)?;
    let c = coverage::coverage(spec, &suite)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&c).expect("coverage serializes")
        );
    } else {
        print!("{}", coverage::render(&c));
    }
    Ok(if check && !c.complete() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `text` as one shell word (quoted when it needs to be).
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
