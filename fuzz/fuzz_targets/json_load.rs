//! The JSON and JSON Lines loaders, and sniffing, on arbitrary bytes (the first byte
//! picks the format and options).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sweetspot::io::InputFormat;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let format = match flags >> 4 & 3 {
        0 => Some(InputFormat::Json),
        1 => Some(InputFormat::Jsonl),
        _ => None,
    };
    common::load(rest, "fuzz.json", format, flags & 12);
});
