//! The pest parser generated from `grammar/sweetspot.pest`, and the conversion of
//! pest's errors into [`ParseError`]s. Pest's `Rule` and `Pair` stay in this module
//! and `lower`.

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;

use super::error::{describe, ParseError};
use crate::source::SourceFile;

/// The generated parser.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/sweetspot.pest"]
pub(crate) struct PolicyParser;

/// Parses a file into pest pairs (the `file` rule).
#[allow(clippy::result_large_err)] // one error per file, built once
pub(crate) fn parse_pairs(
    source: &SourceFile,
) -> Result<pest::iterators::Pairs<'_, Rule>, ParseError> {
    PolicyParser::parse(Rule::file, &source.text).map_err(|err| convert(source, &err))
}

fn convert(source: &SourceFile, err: &pest::error::Error<Rule>) -> ParseError {
    let offset = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let (expected, message) = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = Vec::new();
            for rule in positives {
                if let Some(name) = describe(*rule) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            let names = collapse(names);
            let expected = if names.len() > 4 {
                String::new()
            } else {
                join_or(&names)
            };
            let found = found_at(&source.text, offset);
            let message = if expected.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {expected}, found {found}")
            };
            (expected, message)
        }
        ErrorVariant::CustomError { message } => (String::new(), message.clone()),
    };
    let help = hint(&source.text, offset);
    let label = if expected.is_empty() || expected.len() > 48 {
        "not expected here".to_string()
    } else {
        format!("expected {expected}")
    };
    let len = token_len(&source.text, offset);
    ParseError::Invalid {
        message,
        src: source.named_source(),
        span: (offset, len).into(),
        label,
        help,
    }
}

const ITEM: &str =
    "an item (`use`, `record`, `list`, `exclude`, `review`, `score`, `tier`, `example`, `test`)";
const ITEM_KEYWORDS: &[&str] = &[
    "`use`",
    "`record`",
    "`list`",
    "`exclude`",
    "`review`",
    "`score`",
    "`tier`",
    "`example`",
    "`test`",
    "end of file",
];
const OPERATORS: &[&str] = &[
    "a comparison (`==`, `<`, ...)",
    "`+` or `-`",
    "`*` or `/`",
    "`and`",
    "`or`",
    "`not`",
    "`in`",
    "`not in`",
    "`between`",
    "`is`",
];

/// Folds what pest lists into fewer, human groups: item keywords into "an item",
/// operators into "an operator".
fn collapse(names: Vec<&'static str>) -> Vec<&'static str> {
    let has_item = names.contains(&ITEM);
    let operators = names.iter().filter(|n| OPERATORS.contains(n)).count();
    let mut out: Vec<&'static str> = Vec::new();
    for name in names {
        let folded = if has_item && ITEM_KEYWORDS.contains(&name) {
            continue;
        } else if operators > 1 && OPERATORS.contains(&name) {
            "an operator (`==`, `+`, `and`, `in`, ...)"
        } else {
            name
        };
        if !out.contains(&folded) {
            out.push(folded);
        }
    }
    out
}

fn join_or(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What stands at the error position, in words.
fn found_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !word.is_empty() {
        return format!("`{word}`");
    }
    match rest.chars().next() {
        None => "end of file".to_string(),
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(c) => format!("`{c}`"),
    }
}

fn token_len(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let word = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    if word > 0 {
        word
    } else {
        rest.chars()
            .next()
            .filter(|c| *c != '\n')
            .map_or(0, char::len_utf8)
    }
}

/// A help line for common mistakes seen at the error position.
fn hint(text: &str, offset: usize) -> Option<String> {
    let rest = text.get(offset..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    const KEYWORDS: &[&str] = &[
        "policy",
        "version",
        "use",
        "record",
        "key",
        "one",
        "of",
        "list",
        "bool",
        "text",
        "number",
        "exclude",
        "review",
        "score",
        "when",
        "because",
        "on",
        "missing",
        "tier",
        "otherwise",
        "example",
        "test",
        "given",
        "with",
        "expect",
        "by",
        "and",
        "or",
        "not",
        "in",
        "between",
        "is",
        "present",
        "true",
        "false",
    ];
    if KEYWORDS.contains(&word.as_str()) {
        return Some(format!(
            "`{word}` is a keyword and cannot be used as a name; choose another name"
        ));
    }
    if word.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(format!(
            "names are lowercase letters, digits and `_`; try `{}`",
            word.to_lowercase()
        ));
    }
    if rest.starts_with('\'') {
        return Some("strings use double quotes: \"...\"".to_string());
    }
    if rest.starts_with('=') && !rest.starts_with("==") {
        return Some("to compare, write `==`".to_string());
    }
    None
}
