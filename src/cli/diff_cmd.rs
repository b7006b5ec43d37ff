//! `sweetspot diff`: what a policy change does to the records, before it ships.
//! Exit code 0 when no record changes, 1 when one does, 2 on errors.

use std::path::PathBuf;

use sweetspot::report::{diff, diff_render, ReportError, RunInfo};

use super::output::eprint_diagnostic;
use super::report_cmd::emit;

/// Diff formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A summary, the transition matrix and one entry per changed record.
    Text,
    /// One JSON object.
    Json,
    /// One self-contained HTML page.
    Html,
}

/// Arguments of `sweetspot diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The policy as it is now.
    old: PathBuf,
    /// The changed policy.
    new: PathBuf,
    /// Input files (CSV, JSON, JSONL); each is read once per policy.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: super::input_args::InputArgs,
    /// The time shown in the HTML page (for reproducible output).
    #[arg(long, hide = true)]
    now: Option<String>,
}

pub fn run(args: &DiffArgs) -> u8 {
    let mut policies = Vec::new();
    for path in [&args.old, &args.new] {
        // A policy that does not load is exit code 2 here: 1 means "something changed".
        match super::output::load_policy(path) {
            Some(policy) => policies.push(policy),
            None => return 2,
        }
    }
    let [old, new] = match <[sweetspot::Policy; 2]>::try_from(policies) {
        Ok(pair) => pair,
        Err(_) => return 2,
    };
    if args.inputs.iter().any(|i| i.as_os_str() == "-") {
        eprint_diagnostic(&ReportError::DiffStdin);
        return 2;
    }
    let options = match args.input.options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    let old_name = args.old.display().to_string();
    let new_name = args.new.display().to_string();
    let result = match diff::diff((&old_name, &old), (&new_name, &new), &args.inputs, &options) {
        Ok(result) => result,
        Err(error) => {
            eprint_diagnostic(&error);
            return 2;
        }
    };
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    let text = match args.format {
        DiffFormat::Text => diff_render::text(&result),
        DiffFormat::Json => {
            serde_json::to_string_pretty(&diff_render::json(&result)).unwrap_or_default() + "\n"
        }
        DiffFormat::Html => {
            let now = args
                .now
                .clone()
                .unwrap_or_else(|| RunInfo::now().generated_at);
            diff_render::html(&result, &now)
        }
    };
    if let Err(error) = emit(args.output.as_deref(), &text) {
        eprint_diagnostic(&error);
        return 2;
    }
    eprintln!(
        "sweetspot: {} of {} records change",
        result.changed.len(),
        result.total()
    );
    u8::from(result.has_changes())
}
