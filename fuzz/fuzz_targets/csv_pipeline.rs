//! `eval`'s CSV pipeline (rows read straight into typed slots, decided in parallel,
//! JSON rows written straight from the slot decisions) against the straightforward path (records, reference
//! evaluator, one at a time) on arbitrary bytes: the output must be identical, or both
//! must fail with the same error. The first byte picks delimiter, options and format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sweetspot::io::{
    read_records, DecisionWriter, InputFormat, InputOptions, InputSource, OutputFormat,
    ReadOptions,
};

#[path = "common.rs"]
mod common;

fn writer(format: OutputFormat, explain: bool, policy: &sweetspot::Policy) -> DecisionWriter<Vec<u8>> {
    let writer = DecisionWriter::new(Vec::new(), format);
    if explain {
        writer.with_outcomes(policy)
    } else {
        writer
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let policy = common::policy();
    let options = InputOptions {
        format: Some(InputFormat::Csv),
        delimiter: (flags & 1 != 0).then_some(b';'),
        read: ReadOptions {
            strict: flags & 2 != 0,
            decimal_comma: flags & 4 != 0,
        },
    };
    let format = if flags & 8 != 0 {
        OutputFormat::Csv
    } else {
        OutputFormat::Jsonl
    };
    let explain = flags & 16 != 0;
    let path = std::env::temp_dir().join(format!("sweetspot-fuzz-{}.csv", std::process::id()));
    if std::fs::write(&path, rest).is_err() {
        return;
    }
    let source = InputSource::File(path);

    let mut plain = writer(format, explain, policy);
    let read = read_records(&source, &policy.schema, &options, &mut |record| {
        if plain
            .write(policy, &sweetspot::eval::decide(policy, &record))
            .is_err()
        {
            panic!("writing into memory failed");
        }
        Ok(())
    });

    let mut fast = writer(format, explain, policy).for_policy(policy);
    let mut counts = [0; 4];
    let run = sweetspot::run::evaluate_source(
        policy,
        &source,
        &options,
        &mut fast,
        &mut counts,
        &mut |_| {},
    );
    match (read, run) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.records, b.records, "records read differ");
            let (Ok(a), Ok(b)) = (plain.finish(), fast.finish()) else {
                panic!("finishing in memory failed");
            };
            assert!(a == b, "outputs differ");
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "errors differ"),
        (a, b) => panic!("one path failed: {:?} / {:?}", a.err(), b.err()),
    }
});
