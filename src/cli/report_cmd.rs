//! `sweetspot report`: one self-contained HTML page (or Markdown) for compliance: totals,
//! score distribution, excluded records by rule, the review queue and the invalid rows.

use std::io::Write;
use std::path::{Path, PathBuf};

use sweetspot::io::InputSource;
use sweetspot::report::{build_summary, html, manifest, markdown, ReportError, RunInfo};
use sweetspot::DecisionKind;

use super::output::eprint_diagnostic;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page.
    Html,
    /// Markdown, for pasting into a ticket.
    Md,
}

/// Arguments of `sweetspot report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The policy file.
    policy: PathBuf,
    /// Input files (CSV, JSON, JSONL) or `-` for standard input; none reads standard input.
    inputs: Vec<String>,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Report format [default: md for a `-o` file ending in `.md`, otherwise html].
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    #[command(flatten)]
    input: super::input_args::InputArgs,
    /// The time shown as the time of the run (for reproducible output).
    #[arg(long, hide = true)]
    now: Option<String>,
}

/// Shows the warning of a file written in place of another, if any.
fn warn(warning: Option<String>) {
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
}

/// Writes `text` to the file, or to standard output.
pub fn emit(output: Option<&Path>, text: &str) -> Result<(), ReportError> {
    match output {
        Some(path) => manifest::write_file(path, text).map(warn),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| ReportError::Write {
                    path: "<stdout>".to_string(),
                    message: e.to_string(),
                })
        }
    }
}

pub fn run(args: &ReportArgs) -> u8 {
    let Some(policy) = super::output::load_policy(&args.policy) else {
        return 1;
    };
    let options = match args.input.options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    let sources = super::output::input_sources(&args.inputs);
    let mut run = RunInfo::now();
    if let Some(now) = &args.now {
        run.generated_at = now.clone();
    }
    let summary = match build_summary(&policy, &sources, &options, run) {
        Ok((summary, warnings)) => {
            for warning in &warnings {
                eprintln!("warning: {warning}");
            }
            summary
        }
        Err(error) => {
            eprint_diagnostic(error.as_ref());
            eprintln!("error: no report written");
            return 2;
        }
    };
    let format = args.format.unwrap_or(match &args.output {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e == "md" || e == "markdown") =>
        {
            ReportFormat::Md
        }
        _ => ReportFormat::Html,
    });
    let text = match format {
        ReportFormat::Html => html::render(&summary),
        ReportFormat::Md => markdown::render(&summary),
    };
    if let Err(error) = emit(args.output.as_deref(), &text) {
        eprint_diagnostic(&error);
        return 2;
    }
    let total = summary.total();
    eprintln!(
        "sweetspot: report of {total} record{} from {} input{}{}: {} qualified, {} review, {} excluded, {} invalid",
        if total == 1 { "" } else { "s" },
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        args.output
            .as_ref()
            .map(|p| format!(" written to {}", p.display()))
            .unwrap_or_default(),
        summary.count(DecisionKind::Qualified),
        summary.count(DecisionKind::Review),
        summary.count(DecisionKind::Excluded),
        summary.count(DecisionKind::Invalid),
    );
    0
}

/// Writes `eval --manifest FILE` after a successful run; returns the exit code.
pub fn write_eval_manifest(
    path: &Path,
    args: &super::EvalArgs,
    policy: &sweetspot::Policy,
    inputs: &[(InputSource, u64)],
    counts: [u64; 4],
    format: sweetspot::io::OutputFormat,
) -> u8 {
    use clap::ValueEnum;
    let name = |v: Option<clap::builder::PossibleValue>| v.map(|v| v.get_name().to_string());
    let run = manifest::EvalRun {
        policy_path: &args.policy,
        policy,
        inputs,
        counts,
        output: args.output.as_deref(),
        format: &name(format.to_possible_value()).unwrap_or_default(),
        options: serde_json::json!({
            "strict": args.input.strict,
            "decimal_comma": args.input.decimal_comma,
            "input_format": args.input.input_format.and_then(|f| name(f.to_possible_value())),
            "delimiter": args.input.delimiter.map(String::from),
        }),
        generated_at: RunInfo::now().generated_at,
    };
    match manifest::write(path, &run) {
        Ok(warning) => {
            warn(warning);
            0
        }
        Err(error) => {
            eprint_diagnostic(&error);
            2
        }
    }
}
