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
