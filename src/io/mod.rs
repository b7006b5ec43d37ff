//! Phase 4, io: records in (CSV, JSON, JSONL), decisions out (JSONL, JSON, CSV, text).

mod convert;
mod csv_in;
mod csv_rows;
mod error;
mod output_file;
mod preencoded;
mod read;
mod row;
mod row_frame;
mod slot_rows;
mod whole_numbers;
mod write;

pub use convert::{
    parse_decimal_comma, parse_number, record_from_json, value_from_text, value_from_text_with,
    ReadOptions, RecordBuilder,
};
pub use csv_in::{CsvColumns, MAX_CELL_BYTES, MAX_ROW_BYTES};
pub use csv_rows::{CsvRow, CsvRows};
pub use error::InputError;
pub use output_file::{is_written_in_place, move_into_place, partial_path};
pub use read::{
    read_batches, read_from, read_records, InputBatch, InputFormat, InputOptions, InputSource,
    InputSummary, MAX_JSONL_LINE_BYTES,
};
pub use row::{format_number, DecisionRow, Num};
pub use slot_rows::SlotRows;
pub use write::{escape_formula, id_text, DecisionWriter, OutputFormat, RowEncoder};
