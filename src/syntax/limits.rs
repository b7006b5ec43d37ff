//! Limits on the size and shape of policy text, checked before and while parsing so
//! that no input can exhaust the stack or the memory: a file over the limit, or an
//! expression nested too deeply, is a diagnostic, never a crash.

/// The largest policy file, in bytes (1 MiB).
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// The deepest nesting of parentheses (also those of function calls and computed
/// points) and `not`s in one expression. Pest recurses about ten rules deep for each
/// level, so this is what keeps the parser's stack small.
pub const MAX_NESTING: usize = 64;

/// The deepest expression tree: every operator of a chain (`a and b and c ...`,
/// `1 + 2 + 3 ...`), every unary `-` and every nesting level counts one. The checker,
/// the evaluator and the formatter recurse over this tree.
pub const MAX_EXPR_DEPTH: usize = 256;

/// Where the text first nests parentheses and `not`s deeper than [`MAX_NESTING`]: the
/// byte offset and length of the `(` or `not` that goes one level too deep.
///
/// A cheap scan over the text, before pest sees it: comments and strings are skipped,
/// `(` opens a level, `)` closes one, and a run of `not`s adds one level each until the
/// next other token. This is an upper bound of the nesting the grammar can build.
pub(crate) fn too_deep_nesting(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut stack: Vec<usize> = Vec::new();
    let mut base = 0usize;
    let mut run = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                run = 0;
                continue;
            }
            b'(' => {
                stack.push(base);
                base += run + 1;
                run = 0;
                if base > MAX_NESTING {
                    return Some((i, 1));
                }
            }
            b')' => {
                base = stack.pop().unwrap_or(0);
                run = 0;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if &b[start..i] == b"not" {
                    run += 1;
                    if base + run > MAX_NESTING {
                        return Some((start, 3));
                    }
                } else {
                    run = 0;
                }
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => run = 0,
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_parentheses_and_nots() {
        let ok = format!("{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(too_deep_nesting(&ok), None);
        let deep = format!("{}x{}", "(".repeat(65), ")".repeat(65));
        assert_eq!(too_deep_nesting(&deep), Some((64, 1)));
        let nots = "not ".repeat(65);
        assert_eq!(too_deep_nesting(&nots), Some((64 * 4, 3)));
        // Siblings do not add up.
        let flat = "(a) and (b) ".repeat(200);
        assert_eq!(too_deep_nesting(&flat), None);
        let separate = "not a and not b ".repeat(200);
        assert_eq!(too_deep_nesting(&separate), None);
    }

    #[test]
    fn strings_and_comments_are_skipped() {
        let text = format!("\"{}\" # {}\n", "(".repeat(100), "(".repeat(100));
        assert_eq!(too_deep_nesting(&text), None);
        assert_eq!(too_deep_nesting("\"\\\"((\" x"), None);
    }
}
