//! The parser, the checker, the formatter and diagnostic rendering on arbitrary bytes:
//! none of them may panic, overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match sweetspot::check::check_source("fuzz.icp", &text) {
        Ok(checked) => {
            for warning in &checked.warnings {
                let _ = sweetspot::diagnostics::render(warning, false, 80);
            }
        }
        Err(errors) => {
            for error in &errors {
                let _ = sweetspot::diagnostics::render(error, false, 80);
            }
        }
    }
    if let Ok(formatted) = sweetspot::format::format_source("fuzz.icp", &text) {
        // What fmt writes must parse again.
        assert!(
            sweetspot::format::format_source("fuzz.icp", &formatted).is_ok(),
            "formatted text does not parse:\n{formatted}"
        );
    }
});
