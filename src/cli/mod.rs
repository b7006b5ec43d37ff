//! Command-line arguments and dispatch.

mod check_cmd;
mod diff_cmd;
mod eval_cmd;
mod explain_cmd;
mod fmt_cmd;
mod input_args;
mod output;
mod report_cmd;
mod test_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use sweetspot::io::OutputFormat;

/// sweetspot: decide who you want as a customer, with a policy you can read.
#[derive(Debug, Parser)]
#[command(name = "sweetspot", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse, type-check and lint policy files.
    Check {
        /// Policy files (`*.icp`).
        #[arg(required = true)]
        policies: Vec<PathBuf>,
    },
    /// Evaluate records against a policy.
    Eval(EvalArgs),
    /// Explain one record's decision: why, and what would change it.
    Explain(explain_cmd::ExplainArgs),
    /// Run the `test` blocks of policy files (files or folders).
    Test {
        /// Policy files or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Write a self-contained HTML (or Markdown) report for compliance.
    Report(report_cmd::ReportArgs),
    /// Show what a policy change does to the records (exit 1 when something changes).
    Diff(diff_cmd::DiffArgs),
    /// Rewrite policy files in the canonical layout.
    Fmt {
        /// Change nothing; list the files that are not formatted.
        #[arg(long)]
        check: bool,
        /// Policy files or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

/// Arguments of `sweetspot eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The policy file.
    policy: PathBuf,
    /// Input files (CSV, JSON, JSONL) or `-` for standard input; none reads standard input.
    inputs: Vec<String>,
    /// Output format [default: text on a terminal, otherwise jsonl, or from -o's extension].
    #[arg(long, value_enum)]
    format: Option<OutputFormat>,
    /// Write the decisions to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: input_args::InputArgs,
    /// Add every rule's outcome (truth, points, effect, missing fields, location) to
    /// each JSON/JSONL row.
    #[arg(long)]
    explain: bool,
    /// Write CSV cells starting with `=`, `+`, `-` or `@` as they are, instead of
    /// prefixing `'` so that a spreadsheet does not run them as formulas.
    #[arg(long)]
    no_formula_escape: bool,
    /// Also write a JSON run manifest (policy and input hashes, counts) to this file.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

/// Runs the command and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { policies } => check_cmd::run(&policies),
        Command::Eval(args) => eval_cmd::run(&args),
        Command::Explain(args) => explain_cmd::run(&args),
        Command::Test { paths } => test_cmd::run(&paths),
        Command::Fmt { check, paths } => fmt_cmd::run(&paths, check),
        Command::Report(args) => report_cmd::run(&args),
        Command::Diff(args) => diff_cmd::run(&args),
    }
}
