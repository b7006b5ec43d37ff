//! Input errors that stop a whole file (row-level problems become `invalid` rows instead).

use miette::Diagnostic;
use thiserror::Error;

/// A problem with an input file as a whole; `eval` exits with code 2.
#[derive(Debug, Error, Diagnostic)]
pub enum InputError {
    /// The file cannot be opened or read.
    #[error("cannot read input `{file}`: {message}")]
    #[diagnostic(
        code(sweetspot::input::unreadable),
        help("check the path; inputs are CSV, JSON or JSONL files, or `-` for standard input")
    )]
    Unreadable {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// The extension does not tell the format.
    #[error("cannot tell the format of `{file}` from its extension")]
    #[diagnostic(
        code(sweetspot::input::unknown_format),
        help("name it `.csv`, `.json` or `.jsonl`, or pass `--input-format csv|json|jsonl`")
    )]
    UnknownFormat {
        /// The file.
        file: String,
    },
    /// A JSON document that does not parse.
    #[error("{file}:{line}: not valid JSON: {message}")]
    #[diagnostic(
        code(sweetspot::input::bad_json),
        help(
            "a `.json` input is an array of record objects; for one object per line use `.jsonl`"
        )
    )]
    BadJson {
        /// The file.
        file: String,
        /// The line of the error.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// A CSV file whose header cannot be used.
    #[error("{file}:{line}: {message}")]
    #[diagnostic(code(sweetspot::input::bad_header))]
    BadHeader {
        /// The file.
        file: String,
        /// The header's line.
        line: u64,
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// A CSV file that cannot be read past some line: a failure to read (the reader
    /// takes any content).
    #[error("{file}:{line}: cannot read CSV: {message}")]
    #[diagnostic(
        code(sweetspot::input::bad_csv),
        help("reading failed part-way: check the disk or the program writing into the pipe, then run again")
    )]
    BadCsv {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The CSV reader's message.
        message: String,
    },
    /// A CSV quote that opens and never closes: the rest of the file would be one cell.
    #[error("{file}:{line}: a quote opens on this line and is never closed")]
    #[diagnostic(
        code(sweetspot::input::unclosed_quote),
        help("close the quoted cell with `\"`; a quote inside a quoted cell is written twice (`\"\"`)")
    )]
    UnclosedQuote {
        /// The file.
        file: String,
        /// The line where the quote opens.
        line: u64,
    },
    /// A CSV cell or row past the size limits.
    #[error("{file}:{line}: {message}")]
    #[diagnostic(
        code(sweetspot::input::too_large),
        help(
            "a cell holds at most 1 MiB and a row at most 4 MiB; check the quoting near this line"
        )
    )]
    TooLarge {
        /// The file.
        file: String,
        /// The line where the cell or row begins.
        line: u64,
        /// What is too large.
        message: String,
    },
    /// Writing the decisions failed.
    #[error("cannot write output: {message}")]
    #[diagnostic(code(sweetspot::output::write))]
    Write {
        /// Why.
        message: String,
    },
}
