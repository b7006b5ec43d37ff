//! `sweetspot eval`: decide every record of the inputs, in input order.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use sweetspot::io::{
    is_written_in_place, move_into_place, partial_path, DecisionWriter, InputError, InputSource,
    OutputFormat,
};
use sweetspot::DecisionKind;

use super::output::eprint_diagnostic;
use super::EvalArgs;

pub fn run(args: &EvalArgs) -> u8 {
    let Some(policy) = super::output::load_policy(&args.policy) else {
        return 1;
    };
    let options = match args.input.options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    let sources = super::output::input_sources(&args.inputs);
    let format = args
        .format
        .unwrap_or_else(|| default_format(args.output.as_deref()));
    let (sink, temp): (Box<dyn Write + Send>, Option<PathBuf>) = match &args.output {
        // A device or pipe (`/dev/null`, a FIFO) is written as it is: renaming a
        // file onto it would replace it.
        Some(path) if is_written_in_place(path) => {
            match std::fs::OpenOptions::new().write(true).open(path) {
                Ok(f) => (Box::new(BufWriter::with_capacity(1 << 16, f)), None),
                Err(e) => {
                    eprintln!("error: cannot open output `{}`: {e}", path.display());
                    return 2;
                }
            }
        }
        Some(path) => {
            let temp = partial_path(path);
            match File::create(&temp) {
                Ok(f) => (Box::new(BufWriter::with_capacity(1 << 16, f)), Some(temp)),
                Err(e) => {
                    eprintln!("error: cannot create output `{}`: {e}", path.display());
                    return 2;
                }
            }
        }
        None => (
            // Not locked: the rows are written from a thread of their own (see
            // `sweetspot::run`); the buffer takes the lock once per 64 KiB.
            Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout())),
            None,
        ),
    };
    let mut writer = DecisionWriter::new(sink, format)
        .formula_escape(!args.no_formula_escape)
        .for_policy(&policy);
    if args.explain {
        writer = writer.with_outcomes(&policy);
    }
    let mut counts = [0u64; 4];
    let mut read: Vec<(InputSource, u64)> = Vec::new();
    let mut failure: Option<InputError> = None;
    let bar = progress_bar(&sources);
    for source in &sources {
        let before: u64 = counts.iter().sum();
        let mut progress = |done: u64| {
            if let Some(bar) = &bar {
                bar.set_position(before + done);
            }
        };
        match sweetspot::run::evaluate_source(
            &policy,
            source,
            &options,
            &mut writer,
            &mut counts,
            &mut progress,
        ) {
            Ok(summary) => {
                read.push((source.clone(), summary.records));
                for warning in &summary.warnings {
                    eprintln!("warning: {warning}");
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let finished = writer.finish();
    if let Err(e) = &finished {
        failure.get_or_insert(InputError::Write {
            message: e.to_string(),
        });
    }
    drop(finished);
    if let (Some(temp), Some(path)) = (&temp, &args.output) {
        if failure.is_some() {
            let _ = std::fs::remove_file(temp);
        } else {
            match move_into_place(temp, path) {
                Ok(None) => {}
                Ok(Some(warning)) => eprintln!("warning: {warning}"),
                Err(e) => {
                    let _ = std::fs::remove_file(temp);
                    failure = Some(InputError::Write {
                        message: format!("cannot move output into `{}`: {e}", path.display()),
                    });
                }
            }
        }
    }
    let total: u64 = counts.iter().sum();
    eprintln!(
        "sweetspot: {total} record{} from {} input{}: {} qualified, {} review, {} excluded, {} invalid",
        if total == 1 { "" } else { "s" },
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        counts[DecisionKind::Qualified as usize],
        counts[DecisionKind::Review as usize],
        counts[DecisionKind::Excluded as usize],
        counts[DecisionKind::Invalid as usize],
    );
    match failure {
        Some(e) => {
            eprint_diagnostic(&e);
            2
        }
        None => match &args.manifest {
            Some(path) => {
                super::report_cmd::write_eval_manifest(path, args, &policy, &read, counts, format)
            }
            None => 0,
        },
    }
}

/// A progress line on stderr for inputs over 10 MB, only when stderr is a terminal.
fn progress_bar(sources: &[InputSource]) -> Option<indicatif::ProgressBar> {
    let bytes: u64 = sources
        .iter()
        .filter_map(|s| match s {
            InputSource::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            InputSource::Stdin => None,
        })
        .sum();
    if bytes < 10_000_000 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} records decided in {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    Some(bar)
}

fn default_format(output: Option<&Path>) -> OutputFormat {
    match output {
        Some(path) => match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => OutputFormat::Csv,
            Some("json") => OutputFormat::Json,
            Some("txt") => OutputFormat::Text,
            _ => OutputFormat::Jsonl,
        },
        None if std::io::stdout().is_terminal() => OutputFormat::Text,
        None => OutputFormat::Jsonl,
    }
}
