//! The compliance report as Markdown, for pasting into a ticket. Same content as the HTML
//! page; the score distribution becomes a table with text bars.
//!
//! Text from policies and inputs is escaped so that it shows as written: Markdown
//! punctuation gets a backslash, `<`, `>` and `&` become entities (so raw HTML never
//! renders), `|` cannot break a table, and line breaks become spaces.

use std::fmt::Write as _;

use super::html::{percent, DECISIONS};
use super::summary::{KeptRecord, Reason, Summary};
use crate::eval::DecisionKind;
use crate::io::format_number;

/// Escapes text for Markdown inline content (prose after other text, table cells).
pub fn md(text: &str) -> String {
    escape(text, false)
}

/// Escapes text that starts a line: also a leading `#`, `-`, `+`, `=` or `1.`, which would
/// start a heading or a list.
pub fn md_line(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let digits = if line_start {
        text.chars().take_while(char::is_ascii_digit).count()
    } else {
        usize::MAX
    };
    for (i, c) in text.chars().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if i == 0 && line_start => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i == digits && digits > 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text as an inline code span that no backtick inside can close, safe in tables.
///
/// Inside code spans backslashes are literal, so `|` cannot be escaped there: it is
/// replaced by `¦` (a table would otherwise split the cell).
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '|' => '¦',
            c => c,
        })
        .collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with(' ') || text.ends_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A message of sweetspot's own: its `quoted` parts become code spans, the rest is escaped.
pub fn md_message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return md(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { md(part) })
        .collect()
}

/// Renders the report.
pub fn render(s: &Summary) -> String {
    let mut b = String::new();
    let total = s.total();
    let _ = writeln!(
        b,
        "# Policy report: {} (version {})\n",
        md(&s.policy_name),
        s.policy_version
    );
    let _ = writeln!(b, "- **Policy hash:** `{}`", s.policy_hash);
    b.push_str("- **Policy files:**\n");
    for f in &s.files {
        let _ = writeln!(b, "  - {} (SHA-256 `{}`)", code(&f.name), f.sha256);
    }
    b.push_str("- **Inputs:**\n");
    for input in &s.inputs {
        let _ = writeln!(
            b,
            "  - {}: {} record{}",
            code(&input.name),
            input.records,
            if input.records == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(
        b,
        "- **Run:** {} with sweetspot {}\n",
        md(&s.run.generated_at),
        md(&s.run.tool_version)
    );

    b.push_str("## Decisions\n\n| decision | records | share |\n|---|---:|---:|\n");
    for (kind, label) in DECISIONS {
        let n = s.count(kind);
        let _ = writeln!(b, "| {label} | {n} | {} |", percent(n, total));
    }
    let _ = writeln!(b, "| **All records** | **{total}** | |\n");

    b.push_str("### By tier\n\n| tier |");
    for (_, label) in DECISIONS {
        let _ = write!(b, " {} |", label.to_lowercase());
    }
    b.push_str(" total |\n|---|---:|---:|---:|---:|---:|\n");
    for (index, row) in s.tier_counts.iter().enumerate() {
        let name = match s.tiers.get(index) {
            Some(name) => md(name),
            None if row.iter().sum::<u64>() == 0 => continue,
            None => "no tier".to_string(),
        };
        let _ = write!(b, "| {name} |");
        for (kind, _) in DECISIONS {
            let _ = write!(b, " {} |", row[kind as usize]);
        }
        let _ = writeln!(b, " {} |", row.iter().sum::<u64>());
    }
    b.push('\n');

    score_table(&mut b, s);
    excluded(&mut b, s);
    review(&mut b, s);
    invalid(&mut b, s);
    b
}

fn score_table(b: &mut String, s: &Summary) {
    b.push_str("## Score distribution\n\n");
    let bars = s.histogram.bars(12);
    if bars.is_empty() {
        b.push_str("No scored records.\n\n");
        return;
    }
    let max = bars
        .iter()
        .map(|bar| bar.2.iter().sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1);
    b.push_str("| score | qualified | review | excluded | |\n|---|---:|---:|---:|---|\n");
    for (from, to, counts) in &bars {
        let total: u64 = counts.iter().sum();
        let width = ((total as f64 / max as f64) * 30.0).round() as usize;
        let _ = writeln!(
            b,
            "| {} to under {} | {} | {} | {} | {} |",
            md(&format_number(*from)),
            md(&format_number(*to)),
            counts[0],
            counts[1],
            counts[2],
            "█".repeat(if total > 0 { width.max(1) } else { 0 })
        );
    }
    if !s.thresholds.is_empty() {
        let parts: Vec<String> = s
            .thresholds
            .iter()
            .map(|(name, at)| format!("tier {} from {}", md(name), md(&format_number(*at))))
            .collect();
        let _ = writeln!(b, "\nTier thresholds: {}.", parts.join(", "));
    }
    b.push('\n');
}

fn source(s: &Summary, r: &KeptRecord) -> String {
    let input = s.inputs.get(r.input).map_or("", |i| i.name.as_str());
    match r.line {
        Some(line) => code(&format!("{input}:{line}")),
        None => code(input),
    }
}

fn label(s: &Summary, r: &KeptRecord) -> String {
    if s.label_field.is_some() {
        format!(" {} |", md(r.label.as_deref().unwrap_or("")))
    } else {
        String::new()
    }
}

fn label_head(s: &Summary) -> (String, &'static str) {
    match &s.label_field {
        Some(f) => (format!(" {} |", md(f)), "---|"),
        None => (String::new(), ""),
    }
}

fn values(reason: &Reason) -> String {
    let mut parts: Vec<String> = reason
        .values
        .iter()
        .map(|(field, value)| format!("{} = {}", code(field), code(value)))
        .collect();
    if let Some(missing) = &reason.missing {
        let names: Vec<String> = missing.iter().map(|m| code(m)).collect();
        parts.push(format!(
            "could not be decided: {} missing",
            if names.is_empty() {
                "a value is".to_string()
            } else {
                names.join(", ")
            }
        ));
    }
    parts.join(", ")
}

fn score(r: &KeptRecord) -> String {
    format!(
        "{} | {}",
        r.score.map_or("–".to_string(), |n| md(&format_number(n))),
        md(r.tier.as_deref().unwrap_or("–"))
    )
}

fn excluded(b: &mut String, s: &Summary) {
    let _ = writeln!(
        b,
        "## Excluded records ({})\n",
        s.count(DecisionKind::Excluded)
    );
    let groups = s.exclusion_groups();
    if groups.is_empty() {
        b.push_str("No record was excluded.\n\n");
        return;
    }
    b.push_str("Grouped by the rule that excluded them; a record excluded by several rules appears in each of their groups.\n\n");
    let (head, sep) = label_head(s);
    for (rule_index, records) in groups {
        let rule = &s.rules[rule_index];
        let _ = writeln!(
            b,
            "### {} ({} record{})\n\n> {}\n\n{} ({} rule at {})\n",
            code(&rule.name),
            records.len(),
            if records.len() == 1 { "" } else { "s" },
            md_line(rule.because.as_deref().unwrap_or("")),
            match &rule.condition {
                Some(c) => format!("When {}", code(c)),
                None => "Always applies".to_string(),
            },
            rule.kind,
            code(&rule.location)
        );
        let _ = writeln!(
            b,
            "| id |{head} values | score | tier | also | source |\n|---|{sep}---|---:|---|---|---|"
        );
        for r in records {
            let this = r.exclusions.iter().find(|x| x.rule == rule_index);
            let also: Vec<String> = r
                .exclusions
                .iter()
                .filter(|x| x.rule != rule_index)
                .map(|x| format!("excluded by {}", code(&s.rules[x.rule].name)))
                .chain(
                    r.reviews
                        .iter()
                        .map(|x| format!("review: {}", code(&s.rules[x.rule].name))),
                )
                .collect();
            let _ = writeln!(
                b,
                "| {} |{} {} | {} | {} | {} |",
                md(&r.id),
                label(s, r),
                this.map(values).unwrap_or_default(),
                score(r),
                also.join("; "),
                source(s, r)
            );
        }
        b.push('\n');
    }
}

fn review(b: &mut String, s: &Summary) {
    let _ = writeln!(b, "## Review queue ({})\n", s.count(DecisionKind::Review));
    if s.review.is_empty() {
        b.push_str("No record needs a person.\n\n");
        return;
    }
    let (head, sep) = label_head(s);
    let _ = writeln!(
        b,
        "| id |{head} reasons | score | tier | source |\n|---|{sep}---|---:|---|---|"
    );
    for r in &s.review {
        let reasons: Vec<String> = r
            .reviews
            .iter()
            .map(|reason| {
                let rule = &s.rules[reason.rule];
                let vals = values(reason);
                format!(
                    "{}: {}{}",
                    code(&rule.name),
                    md(rule.because.as_deref().unwrap_or("")),
                    if vals.is_empty() {
                        String::new()
                    } else {
                        format!(" ({vals})")
                    }
                )
            })
            .collect();
        let _ = writeln!(
            b,
            "| {} |{} {} | {} | {} |",
            md(&r.id),
            label(s, r),
            reasons.join("<br>"),
            score(r),
            source(s, r)
        );
    }
    b.push('\n');
}

fn invalid(b: &mut String, s: &Summary) {
    let _ = writeln!(b, "## Invalid rows ({})\n", s.count(DecisionKind::Invalid));
    if s.invalid.is_empty() {
        b.push_str("Every row was valid.\n");
        return;
    }
    let (head, sep) = label_head(s);
    let _ = writeln!(b, "| id |{head} errors | source |\n|---|{sep}---|---|");
    for r in &s.invalid {
        let errors: Vec<String> = r
            .errors
            .iter()
            .map(|e| match &e.field {
                Some(field) => format!("{}: {}", code(field), md_message(&e.message)),
                None => md_message(&e.message),
            })
            .collect();
        let _ = writeln!(
            b,
            "| {} |{} {} | {} |",
            md(&r.id),
            label(s, r),
            errors.join("<br>"),
            source(s, r)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_html_and_table_breakers() {
        assert_eq!(
            md("<script>alert(1)</script> | *x*"),
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*"
        );
        assert_eq!(md("- 2024-03"), "- 2024-03");
        assert_eq!(md_line("- 2024-03"), "\\- 2024-03");
        assert_eq!(md_line("1. first"), "1\\. first");
        assert_eq!(md("0.1.0"), "0.1.0");
        assert_eq!(md("a_b"), "a\\_b");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x | y"), "`x ¦ y`");
    }
}
