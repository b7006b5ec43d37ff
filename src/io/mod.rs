//! Phase 4, io: records in (CSV, JSON, JSONL), decisions out (JSONL, JSON, CSV, text).

mod convert;
mod csv_in;
mod error;
mod read;
mod row;
mod write;

pub use convert::{parse_number, record_from_json, value_from_text, ReadOptions, RecordBuilder};
pub use error::InputError;
pub use read::{read_records, InputFormat, InputOptions, InputSource, InputSummary};
pub use row::{format_number, DecisionRow, Num};
pub use write::{id_text, DecisionWriter, OutputFormat};
