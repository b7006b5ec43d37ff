//! `sweetspot test`: run the `test` blocks of policy files.

use std::path::PathBuf;

use super::output::{eprint_diagnostic, is_main_policy, policy_files};

pub fn run(paths: &[PathBuf]) -> u8 {
    let mut passed = 0u64;
    let mut failed = 0u64;
    for path in policy_files(paths) {
        // Files without a `policy` header are only `use`d; their tests run with the
        // policy that uses them. A file named directly always runs.
        if !paths.contains(&path) && !is_main_policy(&path) {
            continue;
        }
        let policy = match sweetspot::Policy::load(&path) {
            Ok(policy) => policy,
            Err(errors) => {
                for error in &errors {
                    eprint_diagnostic(error);
                }
                println!("FAIL {}: the policy did not load", path.display());
                failed += 1;
                continue;
            }
        };
        for result in sweetspot::testing::run_tests(&policy) {
            let location = policy.sources.location(result.span);
            if result.passed() {
                passed += 1;
                println!("pass {location}: {}", result.title);
            } else {
                failed += 1;
                println!("FAIL {location}: {}", result.title);
                for failure in &result.failures {
                    println!("     {failure}");
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    u8::from(failed > 0)
}
