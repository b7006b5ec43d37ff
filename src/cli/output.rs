//! Printing diagnostics and finding policy files.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use miette::Diagnostic;

/// Whether stderr gets colour: a terminal, and `NO_COLOR` unset.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether stdout gets colour: a terminal, and `NO_COLOR` unset.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints a diagnostic to stderr.
pub fn eprint_diagnostic(diagnostic: &dyn Diagnostic) {
    let width = if stderr_color() { 100 } else { 80 };
    eprint!(
        "{}",
        sweetspot::diagnostics::render(diagnostic, stderr_color(), width)
    );
}

/// Loads a policy; on failure prints every diagnostic and a closing line, and gives
/// `None` (each command picks its exit code).
pub fn load_policy(path: &Path) -> Option<sweetspot::Policy> {
    match sweetspot::Policy::load(path) {
        Ok(policy) => Some(policy),
        Err(errors) => {
            for error in &errors {
                eprint_diagnostic(error);
            }
            eprintln!("error: policy {} did not load", path.display());
            None
        }
    }
}

/// The inputs named on the command line: files, `-` for standard input, and standard
/// input when none is named.
pub fn input_sources(inputs: &[String]) -> Vec<sweetspot::io::InputSource> {
    use sweetspot::io::InputSource;
    if inputs.is_empty() {
        return vec![InputSource::Stdin];
    }
    inputs
        .iter()
        .map(|i| match i.as_str() {
            "-" => InputSource::Stdin,
            path => InputSource::File(PathBuf::from(path)),
        })
        .collect()
}

/// The policy files named by `paths`: files as given, folders searched for `*.icp`.
pub fn policy_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, &mut files);
        } else {
            files.push(path.clone());
        }
    }
    files
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "icp") {
            files.push(path);
        }
    }
}

/// Whether a file starts a policy (has a `policy` header) rather than being only `use`d.
pub fn is_main_policy(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return true;
    };
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.trim_start_matches('\u{feff}').starts_with("policy"))
}
