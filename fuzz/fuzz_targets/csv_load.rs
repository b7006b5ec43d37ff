//! The CSV loader on arbitrary bytes (the first byte picks delimiter and options).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    common::load(rest, "fuzz.csv", Some(sweetspot::io::InputFormat::Csv), flags);
});
