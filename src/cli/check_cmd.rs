//! `sweetspot check`: parse, type-check and lint.

use std::path::PathBuf;

use super::output::{eprint_diagnostic, is_main_policy, policy_files};

pub fn run(policies: &[PathBuf]) -> u8 {
    let mut failed = false;
    // Folders: every policy in them; files without a header are checked through the
    // policy that uses them.
    let files: Vec<PathBuf> = policy_files(policies)
        .into_iter()
        .filter(|p| policies.contains(p) || is_main_policy(p))
        .collect();
    for path in &files {
        match sweetspot::check::check_path(path) {
            Ok(checked) => {
                for warning in &checked.warnings {
                    eprint_diagnostic(warning);
                }
                let p = &checked.policy;
                eprintln!(
                    "ok: {} — policy \"{}\" version {}: {} file{}, {} fields, {} rules, {} tiers, {} tests{}",
                    path.display(),
                    p.name,
                    p.version,
                    p.sources.files().len(),
                    if p.sources.files().len() == 1 { "" } else { "s" },
                    p.schema.fields.len(),
                    p.rules.len(),
                    p.tiers.len(),
                    p.tests.len(),
                    match checked.warnings.len() {
                        0 => String::new(),
                        1 => ", 1 warning".to_string(),
                        n => format!(", {n} warnings"),
                    }
                );
            }
            Err(errors) => {
                failed = true;
                for error in &errors {
                    eprint_diagnostic(error);
                }
                eprintln!(
                    "error: {} has {} error{}",
                    path.display(),
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    u8::from(failed)
}
