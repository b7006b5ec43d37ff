//! Comments for the formatter: found in the source (outside strings), then merged into
//! the printed lines. A comment alone on its line goes before the first printed line
//! that came after it in the source; a comment after code stays at the end of the line
//! that printed that code.

use super::printer::Line;

/// One comment found in the source.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    /// Byte offset of the `#`.
    pub offset: usize,
    /// The comment text, `#` included, trailing space removed.
    pub text: String,
    /// Whether code stands before it on its line.
    pub trailing: bool,
}

/// Every comment in `text`, in order.
pub(crate) fn find(text: &str) -> Vec<Comment> {
    let mut comments = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_has_code = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' => {
                    in_string = false;
                    line_has_code = false;
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                line_has_code = true;
            }
            '#' => {
                let mut end = text.len();
                while let Some(&(j, d)) = chars.peek() {
                    if d == '\n' {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                comments.push(Comment {
                    offset: i,
                    text: text[i..end].trim_end().to_string(),
                    trailing: line_has_code,
                });
            }
            '\n' => line_has_code = false,
            c if !c.is_whitespace() => line_has_code = true,
            _ => {}
        }
    }
    comments
}

/// Puts the comments back into the printed lines and renders the file.
pub(crate) fn merge(lines: Vec<Line>, comments: &[Comment]) -> String {
    let mut before: Vec<Vec<&Comment>> = vec![Vec::new(); lines.len() + 1];
    let mut after: Vec<Vec<&Comment>> = vec![Vec::new(); lines.len()];
    for c in comments {
        if c.trailing {
            let owner = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.anchor.is_some_and(|a| a <= c.offset))
                .max_by_key(|(_, l)| l.anchor)
                .map(|(i, _)| i);
            // One trailing comment per printed line; more (a list written over several
            // lines prints on one) go on their own lines before the next printed line,
            // where a second run of fmt would put them too.
            if let Some(i) = owner.filter(|i| after[*i].is_empty()) {
                after[i].push(c);
                continue;
            }
        }
        let next = lines
            .iter()
            .position(|l| l.anchor.is_some_and(|a| a > c.offset))
            .unwrap_or(lines.len());
        before[next].push(c);
    }
    let columns = comment_columns(&lines, &after);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        for c in &before[i] {
            push_line(&mut out, line.comment_indent, &c.text);
        }
        let mut text = line.text.clone();
        if let Some(first) = after[i].first() {
            let pad = columns[i].saturating_sub(last_line_len(line)).max(2);
            text.extend(std::iter::repeat_n(' ', pad));
            text.push_str(&first.text);
        }
        push_line(&mut out, line.indent, &text);
    }
    for c in &before[lines.len()] {
        push_line(&mut out, 0, &c.text);
    }
    out
}

/// Trailing comments of consecutive lines with the same indentation line up: each
/// run's comments start two columns after its longest commented line.
fn comment_columns(lines: &[Line], after: &[Vec<&Comment>]) -> Vec<usize> {
    let mut columns = vec![0; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        while end + 1 < lines.len()
            && lines[end + 1].anchor.is_some()
            && lines[start].anchor.is_some()
            && lines[end + 1].indent == lines[start].indent
        {
            end += 1;
        }
        let width = (start..=end)
            .filter(|i| !after[*i].is_empty())
            .map(|i| last_line_len(&lines[i]) + 2)
            .max()
            .unwrap_or(0);
        for column in &mut columns[start..=end] {
            *column = width;
        }
        start = end + 1;
    }
    columns
}

/// Length of a printed line's last physical line, indentation included.
fn last_line_len(line: &Line) -> usize {
    match line.text.rsplit_once('\n') {
        Some((_, last)) => last.len(),
        None => line.indent + line.text.len(),
    }
}

fn push_line(out: &mut String, indent: usize, text: &str) {
    if !text.is_empty() {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(text);
    }
    out.push('\n');
}
