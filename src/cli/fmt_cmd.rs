//! `sweetspot fmt`: rewrite policy files in the canonical layout.

use std::path::PathBuf;

use super::output::{eprint_diagnostic, policy_files};

pub fn run(paths: &[PathBuf], check: bool) -> u8 {
    let mut code = 0;
    for path in policy_files(paths) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                code = 1;
                continue;
            }
        };
        let formatted = match sweetspot::format::format_source(&path.display().to_string(), &text) {
            Ok(formatted) => formatted,
            Err(errors) => {
                for error in &errors {
                    eprint_diagnostic(error);
                }
                code = 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            println!("{}", path.display());
            code = 1;
        } else if let Err(e) = std::fs::write(&path, formatted) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            code = 1;
        } else {
            eprintln!("formatted {}", path.display());
        }
    }
    code
}
