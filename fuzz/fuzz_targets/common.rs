//! Shared by the loader targets: the shipped policy, loaded once.

use std::sync::OnceLock;

use sweetspot::Policy;

pub fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/icp.icp");
        match Policy::load(path) {
            Ok(policy) => policy,
            Err(errors) => panic!("rules/icp.icp does not load: {errors:?}"),
        }
    })
}

/// Reads `data` with the real reader in `format` (None sniffs), evaluates every record
/// and checks that each record read yields exactly one decision.
#[allow(dead_code)] // not every target reads input files
pub fn load(data: &[u8], name: &str, format: Option<sweetspot::io::InputFormat>, flags: u8) {
    use sweetspot::io::{read_from, InputOptions, ReadOptions};
    let policy = policy();
    let options = InputOptions {
        format,
        delimiter: match flags & 3 {
            1 => Some(b';'),
            2 => Some(b'\t'),
            _ => None,
        },
        read: ReadOptions {
            strict: flags & 4 != 0,
            decimal_comma: flags & 8 != 0,
        },
    };
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let mut decided = 0u64;
    let mut sink = |record: sweetspot::Record| {
        let decision = policy.evaluate(&record);
        let _ = policy.decision_json(&decision);
        decided += 1;
        Ok(())
    };
    if let Ok(summary) = read_from(reader, name, format, &policy.schema, &options, &mut sink) {
        assert_eq!(summary.records, decided, "records read and decided differ");
    }
}
