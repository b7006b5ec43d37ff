//! `sweetspot fmt`: one canonical layout for policy files. The file is parsed, printed
//! from its AST (`printer`), and its comments are put back next to the lines they
//! stood beside (`comments`). Formatting is idempotent and keeps every comment.

mod comments;
mod printer;

use std::path::PathBuf;
use std::sync::Arc;

use crate::source::SourceMap;
use crate::syntax::{self, ParseError};

/// Formats a policy file's text into the canonical layout.
pub fn format_source(name: &str, text: &str) -> Result<String, Vec<ParseError>> {
    let mut sources = SourceMap::default();
    let id = sources.add(name.to_string(), PathBuf::from(name), Arc::from(text));
    let file = syntax::parse(sources.file(id))?;
    let mut printer = printer::Printer::new(text);
    printer.file(&file);
    let found = comments::find(text);
    Ok(comments::merge(printer.lines, &found))
}
