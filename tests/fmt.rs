//! `fmt` over every policy in the repository: idempotent, keeps every comment, and
//! keeps the meaning (the formatted file parses to the same AST; spans aside).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sweetspot::format::format_source;
use sweetspot::source::SourceMap;

fn policies(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            policies(&path, out);
        } else if path.extension().is_some_and(|e| e == "icp") {
            out.push(path);
        }
    }
}

fn parse(name: &str, text: &str) -> Option<sweetspot::syntax::ast::PolicyFile> {
    let mut map = SourceMap::default();
    let id = map.add(name.to_string(), PathBuf::from(name), Arc::from(text));
    sweetspot::syntax::parse(map.file(id)).ok()
}

fn comments(text: &str) -> Vec<String> {
    // Comments in these files hold no `"`, so a plain split finds them all.
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].trim_end().to_string()))
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn fmt_is_idempotent_and_meaning_preserving_on_every_policy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    policies(&root.join("rules"), &mut files);
    policies(&root.join("tests/cases"), &mut files);
    let mut formatted_count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let name = file.display().to_string();
        let Some(original) = parse(&name, &text) else {
            continue;
        };
        let once = format_source(&name, &text).unwrap_or_default();
        let twice = format_source(&name, &once).unwrap_or_default();
        assert_eq!(once, twice, "fmt is not idempotent on {name}");
        let reparsed = parse(&name, &once)
            .unwrap_or_else(|| panic!("formatted {name} does not parse:\n{once}"));
        assert_eq!(original, reparsed, "fmt changed the meaning of {name}");
        let mut before = comments(&text);
        let mut after = comments(&once);
        before.sort();
        after.sort();
        assert_eq!(before, after, "fmt lost or changed comments in {name}");
        formatted_count += 1;
    }
    assert!(
        formatted_count > 50,
        "only {formatted_count} policies formatted"
    );
}

#[test]
fn shipped_rules_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["rules/icp.icp", "rules/sanctions.icp"] {
        let text = std::fs::read_to_string(root.join(name)).unwrap_or_default();
        assert_eq!(
            format_source(name, &text).ok().as_deref(),
            Some(text.as_str()),
            "{name}"
        );
    }
}

#[test]
fn fmt_layout_of_a_small_policy() {
    let text = "policy \"P\" version 1 # head\nrecord{id:text key,n:number?}\nscore a_long_name +5 when n>1 because \"x\"\nscore b (min(n,3)*2)\n# tiers\ntier A when score>=5 tier B otherwise\n";
    let out = format_source("p.icp", text).unwrap_or_default();
    insta::assert_snapshot!(out, @r###"
    policy "P" version 1  # head

    record {
      id: text key
      n: number?
    }

    score a_long_name +5 when n > 1
      because "x"
    score b           (min(n, 3) * 2)

    # tiers
    tier A when score >= 5
    tier B otherwise
    "###);
}
