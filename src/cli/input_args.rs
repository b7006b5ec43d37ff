//! The options that say how inputs are read, shared by `eval`, `report` and `diff`.

use sweetspot::io::{InputFormat, InputOptions, ReadOptions};

/// How to read the inputs.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Input format, instead of the file extension (or sniffing standard input).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// CSV delimiter, instead of detecting `,` or `;` from the header line.
    #[arg(long)]
    pub delimiter: Option<char>,
    /// A column or key the schema lacks, holding data, makes the record invalid.
    #[arg(long)]
    pub strict: bool,
    /// Read numbers in text written with a decimal comma: `1.234,50` is 1234.5.
    #[arg(long)]
    pub decimal_comma: bool,
}

impl InputArgs {
    /// The reading options; `Err` is the exit code after a message on stderr.
    pub fn options(&self) -> Result<InputOptions, u8> {
        let delimiter = match self.delimiter {
            Some(c) if c.is_ascii() => Some(c as u8),
            Some(c) => {
                eprintln!("error: --delimiter must be one ASCII character, found `{c}`");
                return Err(2);
            }
            None => None,
        };
        Ok(InputOptions {
            format: self.input_format,
            delimiter,
            read: ReadOptions {
                strict: self.strict,
                decimal_comma: self.decimal_comma,
            },
        })
    }
}
