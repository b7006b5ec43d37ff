//! Writing a [`Diff`] as text (for a terminal or a review comment), JSON (for tools) or a
//! self-contained HTML page (for leadership).

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::diff::{ChangedRecord, Diff, Effect, Side, State};
use super::html::{esc, page, DECISIONS};
use crate::io::{format_number, Num};

fn side_text(side: &Side) -> String {
    match side.score {
        Some(score) => format!("{} {}", side.state.label(), format_number(score)),
        None => side.state.label(),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn source(d: &Diff, r: &ChangedRecord) -> String {
    let input = d.inputs.get(r.input).map_or("", |i| i.path.as_str());
    match r.line {
        Some(line) => format!("{input}:{line}"),
        None => input.to_string(),
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// Counts of records whose decision, tier or score changed.
pub fn change_counts(d: &Diff) -> (usize, usize, usize) {
    (
        d.changed.iter().filter(|r| r.decision_changed()).count(),
        d.changed.iter().filter(|r| r.tier_changed()).count(),
        d.changed.iter().filter(|r| r.score_changed()).count(),
    )
}

/// The transition matrix as text: one column per new state, grouped under its decision.
fn matrix_text(b: &mut String, d: &Diff) {
    let (olds, news) = d.states();
    let first = olds
        .iter()
        .map(|s| s.label().chars().count())
        .max()
        .unwrap_or(0)
        .max("old \\ new".len())
        + 2;
    // Columns of one decision form a group headed by the decision's name.
    let mut groups: Vec<(&str, Vec<&State>)> = Vec::new();
    for state in &news {
        match groups.last_mut() {
            Some((kind, states)) if *kind == state.kind.as_str() => states.push(state),
            _ => groups.push((state.kind.as_str(), vec![state])),
        }
    }
    let count_width = d.total().to_string().len() + 1;
    let widths: Vec<usize> = groups
        .iter()
        .map(|(kind, states)| {
            let cell = states
                .iter()
                .map(|s| s.tier.as_deref().map_or(1, |t| t.chars().count()))
                .max()
                .unwrap_or(1)
                .max(count_width)
                + 2;
            cell.max((kind.len() + 2).div_ceil(states.len()))
        })
        .collect();
    let _ = write!(b, "{:<first$}", "");
    for ((kind, states), w) in groups.iter().zip(&widths) {
        let _ = write!(b, "{:>width$}", kind, width = w * states.len());
    }
    b.push('\n');
    let _ = write!(b, "{:<first$}", "old \\ new");
    for ((_, states), w) in groups.iter().zip(&widths) {
        for s in states {
            let _ = write!(b, "{:>w$}", s.tier.as_deref().unwrap_or("-"));
        }
    }
    b.push('\n');
    for o in &olds {
        let _ = write!(b, "{:<first$}", o.label());
        for ((_, states), w) in groups.iter().zip(&widths) {
            for n in states {
                let count = d
                    .transitions
                    .get(&(o.clone(), (*n).clone()))
                    .copied()
                    .unwrap_or(0);
                let cell = match count {
                    0 => ".".to_string(),
                    c if o != *n => format!("{c}*"),
                    c => c.to_string(),
                };
                let _ = write!(b, "{cell:>w$}");
            }
        }
        b.push('\n');
    }
}

/// The diff as plain text.
pub fn text(d: &Diff) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "old: {} — \"{}\" version {} ({})\nnew: {} — \"{}\" version {} ({})",
        d.old.path,
        d.old.name,
        d.old.version,
        short(&d.old.hash),
        d.new.path,
        d.new.name,
        d.new.version,
        short(&d.new.hash)
    );
    for input in &d.inputs {
        let _ = writeln!(b, "input: {} ({} records)", input.path, input.records);
    }
    let (decisions, tiers, scores) = change_counts(d);
    let _ = writeln!(
        b,
        "\n{} of {} records change: {} decision{}, {} tier{}, {} score{}\n",
        d.changed.len(),
        d.total(),
        decisions,
        if decisions == 1 { "" } else { "s" },
        tiers,
        if tiers == 1 { "" } else { "s" },
        scores,
        if scores == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        b,
        "{:<10} {:>6} {:>6} {:>7}",
        "decision", "old", "new", "change"
    );
    for (kind, _) in DECISIONS {
        let (o, n) = (d.old_counts[kind as usize], d.new_counts[kind as usize]);
        let _ = writeln!(
            b,
            "{:<10} {:>6} {:>6} {:>7}",
            kind.as_str(),
            o,
            n,
            signed(n as i64 - o as i64)
        );
    }
    let _ = writeln!(b, "{:<10} {:>6} {:>6}", "total", d.total(), d.total());

    if d.transitions.is_empty() {
        b.push_str("\nno records, no transitions\n");
    } else {
        b.push_str("\ntransitions (rows: old, columns: new; * marks a changed decision or tier)\n");
        matrix_text(&mut b, d);
    }

    if d.changed.is_empty() {
        b.push_str("\nno record changes\n");
        return b;
    }
    b.push_str("\nchanged records\n");
    for r in &d.changed {
        let id = match &r.old_id {
            Some(old) => format!("{} (old id {old})", r.id),
            None => r.id.clone(),
        };
        let _ = writeln!(
            b,
            "{id}  {} -> {}  [{}]",
            side_text(&r.old),
            side_text(&r.new),
            source(d, r)
        );
        for rule in &r.rules {
            let _ = writeln!(
                b,
                "    {}: {} -> {}",
                rule.rule,
                Effect::describe(rule.old),
                Effect::describe(rule.new)
            );
        }
        for (side, e) in &r.errors {
            let _ = writeln!(
                b,
                "    invalid under the {side} policy: {}{}",
                e.field
                    .as_deref()
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default(),
                e.message
            );
        }
        if r.rules.is_empty() && r.errors.is_empty() && r.tier_changed() {
            b.push_str("    the tier conditions changed\n");
        }
    }
    b
}

fn state_json(s: &State) -> Value {
    json!({"decision": s.kind.as_str(), "tier": s.tier})
}

fn side_json(s: &Side) -> Value {
    json!({"decision": s.state.kind.as_str(), "tier": s.state.tier, "score": s.score.map(Num)})
}

fn effect_json(e: Option<Effect>) -> Value {
    match e {
        None => Value::Null,
        Some(e) => json!({
            "effect": e.effect.map(|a| a.keyword()),
            "points": Num(e.points),
        }),
    }
}

/// The diff as one JSON object.
pub fn json(d: &Diff) -> Value {
    let counts = |c: &[u64; 4]| {
        let mut m = serde_json::Map::new();
        for (kind, _) in DECISIONS {
            m.insert(kind.as_str().to_string(), json!(c[kind as usize]));
        }
        Value::Object(m)
    };
    let (decisions, tiers, scores) = change_counts(d);
    let policy = |p: &super::diff::PolicyInfo| json!({"path": p.path, "name": p.name, "version": p.version, "hash": p.hash});
    json!({
        "old": policy(&d.old),
        "new": policy(&d.new),
        "inputs": d.inputs.iter().map(|i| json!({"path": i.path, "records": i.records})).collect::<Vec<_>>(),
        "totals": {
            "records": d.total(),
            "changed": d.changed.len(),
            "decision_changed": decisions,
            "tier_changed": tiers,
            "score_changed": scores,
            "old": counts(&d.old_counts),
            "new": counts(&d.new_counts),
        },
        "transitions": d.transitions_in_order().iter().map(|(a, b, n)| json!({
            "from": state_json(a), "to": state_json(b), "records": n
        })).collect::<Vec<_>>(),
        "changes": d.changed.iter().map(|r| json!({
            "id": r.id,
            "old_id": r.old_id,
            "input": d.inputs.get(r.input).map(|i| i.path.as_str()),
            "line": r.line,
            "old": side_json(&r.old),
            "new": side_json(&r.new),
            "rules": r.rules.iter().map(|c| json!({
                "rule": c.rule, "old": effect_json(c.old), "new": effect_json(c.new)
            })).collect::<Vec<_>>(),
            "errors": r.errors.iter().map(|(side, e)| json!({
                "policy": side, "field": e.field, "message": e.message
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn pill(state: &State) -> String {
    format!(
        "<span class=\"pill {}\">{}</span>",
        state.kind.as_str(),
        esc(&state.label())
    )
}

/// The diff as a self-contained HTML page.
pub fn html(d: &Diff, generated_at: &str) -> String {
    let mut b = String::new();
    let (decisions, tiers, scores) = change_counts(d);
    let _ = write!(
        b,
        "<header class=\"masthead\"><div class=\"wrap\">\
         <p class=\"eyebrow\">sweetspot · policy change impact</p>\
         <h1>{} <span class=\"version\">version {} → {}</span></h1><dl class=\"meta\">\
         <dt>Old policy</dt><dd><code>{}</code> — “{}” version {} · <code class=\"hash\">{}</code></dd>\
         <dt>New policy</dt><dd><code>{}</code> — “{}” version {} · <code class=\"hash\">{}</code></dd>\
         <dt>Inputs</dt><dd><ul>",
        esc(&d.new.name),
        d.old.version,
        d.new.version,
        esc(&d.old.path),
        esc(&d.old.name),
        d.old.version,
        esc(&d.old.hash),
        esc(&d.new.path),
        esc(&d.new.name),
        d.new.version,
        esc(&d.new.hash),
    );
    for input in &d.inputs {
        let _ = write!(
            b,
            "<li><code>{}</code> — {} records</li>",
            esc(&input.path),
            input.records
        );
    }
    let _ = write!(
        b,
        "</ul></dd><dt>Run</dt><dd><time>{}</time> · sweetspot {}</dd></dl></div></header>\
         <main class=\"wrap\"><section class=\"panel\" id=\"totals\"><h2>Totals</h2>\
         <p class=\"lead\"><strong id=\"changed-count\">{}</strong> of {} records change: \
         {} decision{}, {} tier{}, {} score{}.</p>\
         <table class=\"tiers\"><thead><tr><th>Decision</th><th class=\"num\">Old</th>\
         <th class=\"num\">New</th><th class=\"num\">Change</th></tr></thead><tbody>",
        esc(generated_at),
        env!("CARGO_PKG_VERSION"),
        d.changed.len(),
        d.total(),
        decisions,
        if decisions == 1 { "" } else { "s" },
        tiers,
        if tiers == 1 { "" } else { "s" },
        scores,
        if scores == 1 { "" } else { "s" }
    );
    for (kind, label) in DECISIONS {
        let (o, n) = (d.old_counts[kind as usize], d.new_counts[kind as usize]);
        let delta = n as i64 - o as i64;
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><span class=\"pill {}\">{label}</span></th>\
             <td class=\"num\">{o}</td><td class=\"num\">{n}</td><td class=\"num\">{}</td></tr>",
            kind.as_str(),
            signed(delta)
        );
    }
    let _ = write!(
        b,
        "</tbody><tfoot><tr><td>Total</td><td class=\"num\">{t}</td><td class=\"num\">{t}</td>\
         <td></td></tr></tfoot></table></section>",
        t = d.total()
    );

    let (olds, news) = d.states();
    b.push_str(
        "<section class=\"panel\" id=\"transitions\"><h2>Transitions</h2>\
         <p class=\"lead\">Rows: decision and tier under the old policy; columns: under the \
         new one. The diagonal holds the records that keep their decision and tier.</p>\
         <div class=\"scroll\"><table class=\"matrix\"><thead><tr>\
         <th rowspan=\"2\">old \\ new</th>",
    );
    // New states grouped under their decision, tiers below.
    let mut groups: Vec<(&State, usize)> = Vec::new();
    for n in &news {
        match groups.last_mut() {
            Some((first, count)) if first.kind == n.kind => *count += 1,
            _ => groups.push((n, 1)),
        }
    }
    for (first, count) in &groups {
        let _ = write!(
            b,
            "<th colspan=\"{count}\" class=\"num decision-head\"><span class=\"pill {k}\">{k}</span></th>",
            k = first.kind.as_str()
        );
    }
    b.push_str("</tr><tr>");
    for n in &news {
        let _ = write!(
            b,
            "<th class=\"num\">{}</th>",
            esc(n.tier.as_deref().unwrap_or("–"))
        );
    }
    b.push_str("</tr></thead><tbody>");
    for o in &olds {
        let _ = write!(b, "<tr><th scope=\"row\">{}</th>", pill(o));
        for n in &news {
            let count = d
                .transitions
                .get(&(o.clone(), n.clone()))
                .copied()
                .unwrap_or(0);
            let class = match (count, o == n) {
                (0, _) => "zero",
                (_, true) => "same",
                (_, false) => "changed",
            };
            let _ = write!(b, "<td class=\"num {class}\">{count}</td>");
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div></section>");

    let _ = write!(
        b,
        "<section class=\"panel\" id=\"changes\"><h2>Changed records \
         <span class=\"count-badge\">{}</span></h2>",
        d.changed.len()
    );
    if d.changed.is_empty() {
        b.push_str("<p class=\"empty\">No record changes.</p>");
    } else {
        b.push_str(
            "<p class=\"lead\">Each record whose decision, tier or score changes, with the \
             rules whose outcome differs.</p><table class=\"data\"><thead><tr><th>id</th>\
             <th>old</th><th class=\"num\">old score</th><th>new</th><th class=\"num\">new score</th>\
             <th>rules responsible</th><th>source</th></tr></thead><tbody>",
        );
        for r in &d.changed {
            let mut why = String::from("<ul class=\"reasons\">");
            for rule in &r.rules {
                let _ = write!(
                    why,
                    "<li><code>{}</code>: {} → {}</li>",
                    esc(&rule.rule),
                    esc(&Effect::describe(rule.old)),
                    esc(&Effect::describe(rule.new))
                );
            }
            for (side, e) in &r.errors {
                let _ = write!(
                    why,
                    "<li>invalid under the {side} policy: {}{}</li>",
                    e.field
                        .as_deref()
                        .map(|f| format!("<code>{}</code>: ", esc(f)))
                        .unwrap_or_default(),
                    super::html::esc_message(&e.message)
                );
            }
            if r.rules.is_empty() && r.errors.is_empty() && r.tier_changed() {
                why.push_str("<li>the tier conditions changed</li>");
            }
            why.push_str("</ul>");
            let score = |s: &Side| s.score.map_or("–".to_string(), format_number);
            let _ = write!(
                b,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td class=\"num\">{}</td><td>{why}</td><td class=\"mono\">{}</td></tr>",
                esc(&r.id),
                pill(&r.old.state),
                score(&r.old),
                pill(&r.new.state),
                score(&r.new),
                esc(&source(d, r))
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section></main>");
    page(
        &format!(
            "Policy change — {} v{} → v{}",
            d.new.name, d.old.version, d.new.version
        ),
        &b,
    )
}
