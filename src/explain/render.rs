//! The text form of an explanation, laid out like a compiler diagnostic: decision on
//! top, each exclusion and review with its source underlined, the score ledger, the
//! undecided rules, the tiers, and what would change the decision.

use std::fmt::Write;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};

use super::{Advice, Explanation, Goal, RuleExplanation};
use crate::check::Policy;
use crate::eval::Truth;
use crate::io::{format_number, id_text};
use crate::syntax::ast::MissingAction;

/// One exclusion or review, shown as a diagnostic pointing at the rule.
#[derive(Debug)]
struct RuleNote {
    message: String,
    severity: Severity,
    src: NamedSource<Arc<str>>,
    span: miette::SourceSpan,
    label: String,
    help: Option<String>,
}

impl std::fmt::Display for RuleNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleNote {}

impl Diagnostic for RuleNote {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}

/// Where the details of a ledger line start (under the rule's name).
const LEDGER_INDENT: usize = 10;

/// `text` wrapped at `width`, first line indented by `first`, the others by `rest`.
fn wrap(text: &str, width: usize, first: usize, rest: usize) -> String {
    let first = " ".repeat(first);
    let rest = " ".repeat(rest);
    let options = textwrap::Options::new(width)
        .initial_indent(&first)
        .subsequent_indent(&rest)
        .break_words(false);
    let mut out = textwrap::fill(text, options);
    out.push('\n');
    out
}

fn truth_word(t: Truth) -> &'static str {
    match t {
        Truth::True => "true",
        Truth::False => "false",
        Truth::Unknown => "unknown",
    }
}

fn signed(n: f64) -> String {
    if n > 0.0 {
        format!("+{}", format_number(n))
    } else {
        format_number(n)
    }
}

/// Renders the explanation as text; `color` for terminals, at `width` columns.
pub fn render_text(policy: &Policy, ex: &Explanation, color: bool, width: usize) -> String {
    let mut out = String::new();
    let d = &ex.decision;
    let _ = writeln!(
        out,
        "{} {} — policy \"{}\" version {}",
        id_text(&ex.id),
        d.kind.as_str(),
        ex.policy.0,
        ex.policy.1
    );
    match (policy.tier_name(d), d.score) {
        (tier, Some(score)) => {
            let _ = writeln!(
                out,
                "  decision {}, tier {}, score {}",
                d.kind.as_str(),
                tier.unwrap_or("-"),
                format_number(score)
            );
        }
        _ => {
            let _ = writeln!(out, "  decision invalid: the record could not be read");
            for e in &ex.errors {
                let _ = writeln!(
                    out,
                    "  - {}{}",
                    e.field.as_ref().map_or(String::new(), |f| format!("{f}: ")),
                    e.message
                );
            }
            let _ = writeln!(out, "\nFix these fields and run again; nothing else can be said about an invalid record.");
            return out;
        }
    }

    let notes: Vec<&RuleExplanation> = ex.exclusions().chain(ex.reviews()).collect();
    if !notes.is_empty() {
        let _ = writeln!(out);
    }
    for r in notes {
        out.push_str(&rule_note(policy, r, color, width));
    }

    let _ = writeln!(out, "\nScore ledger");
    let name_width = ex
        .rules
        .iter()
        .filter(|r| r.kind == "score")
        .map(|r| r.rule.len())
        .max()
        .unwrap_or(0);
    for r in ex.rules.iter().filter(|r| r.kind == "score") {
        let values: Vec<String> = r
            .values
            .iter()
            .map(|(name, v)| format!("{name} = {}", v.as_deref().unwrap_or("missing")))
            .collect();
        let condition = match (&r.condition, &r.points_expression) {
            (Some(c), Some(p)) => format!("{c}: {p}"),
            (Some(c), None) => c.clone(),
            (None, Some(p)) => format!("always: {p}"),
            (None, None) => "always".to_string(),
        };
        let head = format!(
            "  {:>6}  {:<name_width$}  {:<7}  ",
            signed(r.points.0),
            r.rule,
            truth_word(r.truth),
        );
        // The condition stays on the rule's line when it fits; the values and the
        // reason go below, under the rule's name, wrapped at the width.
        let mut details = Vec::new();
        if head.chars().count() + condition.chars().count() <= width {
            let _ = writeln!(out, "{head}{condition}");
        } else {
            let _ = writeln!(out, "{}", head.trim_end());
            details.push(condition);
        }
        if !values.is_empty() {
            details.push(values.join(", "));
        }
        if let Some(because) = &r.because {
            details.push(format!("“{because}”"));
        }
        for detail in details {
            out.push_str(&wrap(&detail, width, LEDGER_INDENT, LEDGER_INDENT));
        }
    }
    let _ = writeln!(out, "  {:>6}  total", format_number(d.score.unwrap_or(0.0)));

    let undecided: Vec<&RuleExplanation> = ex
        .rules
        .iter()
        .filter(|r| r.truth == Truth::Unknown)
        .collect();
    if !undecided.is_empty() {
        let _ = writeln!(out, "\nNot decided for lack of data");
        for r in undecided {
            let stake = match (r.kind, r.on_missing) {
                ("score", _) => {
                    let pts = policy
                        .rules
                        .iter()
                        .find(|p| p.name == r.rule)
                        .and_then(|p| p.points.as_ref())
                        .map(|p| super::describe::expr_text(policy, p))
                        .unwrap_or_default();
                    match pts.strip_prefix('-') {
                        Some(cost) => format!("would cost {cost} points if it held"),
                        None => format!("would gain {pts} points if it held"),
                    }
                }
                ("exclude", _) => "would exclude the record if it held".to_string(),
                _ => "would send the record to review if it held".to_string(),
            };
            let now = match r.effect {
                Some(MissingAction::Exclude) => "excludes for now (on missing exclude)",
                Some(MissingAction::Review) => "sends to review for now",
                _ => "ignored for now",
            };
            let line = format!(
                "{}: {} missing; {now}; {stake}",
                r.rule,
                r.missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.push_str(&wrap(&line, width, 2, 4));
        }
    }

    if !ex.tiers.is_empty() {
        let _ = writeln!(out, "\nTiers");
        for t in &ex.tiers {
            let _ = writeln!(
                out,
                "  {} {:<4} {}",
                if t.current { "→" } else { " " },
                t.name,
                t.condition
                    .as_ref()
                    .map_or("otherwise".to_string(), |c| format!("when {c}"))
            );
        }
        if let Some((name, needed)) = &ex.next_tier {
            match needed {
                Some(n) => {
                    let _ = writeln!(out, "  {} more points reach tier {name}", format_number(*n));
                }
                None => {
                    let _ = writeln!(out, "  tier {name} is the next one up");
                }
            }
        }
    }

    let _ = writeln!(out, "\nWhat would it take");
    match &ex.advice {
        Advice::Excluded => {
            let _ = writeln!(
                out,
                "  Nothing: the record is excluded by a no-go rule, and sweetspot does not\n  suggest ways around a no-go. Talk to whoever owns the rule."
            );
        }
        Advice::Invalid => {}
        Advice::AtTop => {
            let _ = writeln!(
                out,
                "  Nothing to gain: the record is qualified in the top tier."
            );
        }
        Advice::Found(goal, found) => {
            let aim = match goal {
                Goal::SettleReview => "settle the review (become qualified)".to_string(),
                Goal::TierAbove(_) => format!(
                    "reach tier {}",
                    ex.next_tier.as_ref().map_or("", |t| t.0.as_str())
                ),
            };
            if found.is_empty() {
                let _ = writeln!(out, "  No change of up to three fields was found to {aim}.");
            } else {
                out.push_str(&wrap(
                    &format!("To {aim}, any one of these (each checked by re-evaluation):"),
                    width,
                    2,
                    2,
                ));
                for s in found {
                    let changes: Vec<String> = s
                        .changes
                        .iter()
                        .map(|c| {
                            let name = &policy.schema.fields[c.field].name;
                            let to = super::describe::value_text(policy, &c.to);
                            match &c.from {
                                Some(from) => format!(
                                    "{name}: {} → {to}",
                                    super::describe::value_text(policy, from)
                                ),
                                None => format!("fill in {name} (e.g. {to})"),
                            }
                        })
                        .collect();
                    let line = format!(
                        "- {}  ⇒ {}, tier {}, score {}",
                        changes.join(" and "),
                        s.decision.kind.as_str(),
                        policy.tier_name(&s.decision).unwrap_or("-"),
                        format_number(s.decision.score.unwrap_or(0.0))
                    );
                    out.push_str(&wrap(&line, width, 2, 4));
                }
            }
        }
    }
    out
}

fn rule_note(policy: &Policy, r: &RuleExplanation, color: bool, width: usize) -> String {
    let Some(rule) = policy.rules.iter().find(|p| p.name == r.rule) else {
        return String::new();
    };
    let excluded = r.effect == Some(MissingAction::Exclude);
    let verb = if excluded { "excluded by" } else { "review by" };
    let message = match r.truth {
        Truth::Unknown => format!(
            "{verb} {} (not decidable: {} missing)",
            r.rule,
            r.missing.join(", ")
        ),
        _ => format!("{verb} {}", r.rule),
    };
    let facts: Vec<String> = r
        .facts
        .iter()
        .map(|f| format!("{} → {}", f.with_values, truth_word(f.truth)))
        .collect();
    let label = if facts.is_empty() {
        "always applies".to_string()
    } else {
        facts.join("; ")
    };
    let note = RuleNote {
        message,
        severity: if excluded {
            Severity::Error
        } else {
            Severity::Warning
        },
        src: policy.sources.file(rule.span.file).named_source(),
        span: rule.when_span.unwrap_or(rule.span).into(),
        label,
        help: r.because.clone(),
    };
    crate::diagnostics::render(&note, color, width)
}
