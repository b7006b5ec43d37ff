//! End to end in a real browser: the report is rendered by headless Chromium and the
//! rendered DOM (`--dump-dom`, after the page's own script ran) is checked against the
//! evaluation. `.ci/run` installs Debian's `chromium`; elsewhere, without a browser, these
//! tests say so and pass, unless `CI` is set.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use scraper::{Html, Selector};
use serde_json::Value;

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The browser, or `None` (and a note) when there is none outside CI.
fn browser_or_skip() -> Option<PathBuf> {
    match browser() {
        Some(b) => Some(b),
        None if std::env::var_os("CI").is_some() => {
            panic!("chromium is not installed; .ci/run installs it")
        }
        None => {
            eprintln!("skipped: no chromium on PATH (apt-get install chromium)");
            None
        }
    }
}

fn sweetspot() -> Command {
    let mut cmd = Command::cargo_bin("sweetspot").unwrap_or_else(|e| panic!("{e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs headless Chromium with a fresh profile and no network services; returns stdout.
fn chromium(browser: &Path, extra: &[String], page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn rendered_dom(browser: &Path, page: &Path) -> Html {
    Html::parse_document(&chromium(browser, &["--dump-dom".to_string()], page))
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn report(args: &[&str], out: &Path) {
    sweetspot()
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(out)
        .assert()
        .code(0);
}

#[test]
fn rendered_totals_match_the_evaluation() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    report(&["rules/icp.icp", "examples/prospects.csv"], &page);
    let doc = rendered_dom(&browser, &page);

    // What eval decides, record by record.
    let out = sweetspot()
        .args([
            "eval",
            "rules/icp.icp",
            "examples/prospects.csv",
            "--format",
            "jsonl",
        ])
        .assert()
        .code(0);
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for line in stdout.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        *counts
            .entry(row["decision"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for decision in ["qualified", "review", "excluded", "invalid"] {
        let shown = texts(&doc, &format!("#total-{decision}"));
        assert_eq!(
            shown,
            [counts.get(decision).copied().unwrap_or(0).to_string()],
            "{decision}"
        );
    }
    assert_eq!(texts(&doc, "#total-all"), ["60"]);
    // The excluded groups, review queue and invalid rows hold as many rows as eval says
    // (a record excluded by two rules is in two groups).
    assert_eq!(
        texts(&doc, "#review-table tbody tr").len(),
        counts["review"]
    );
    assert_eq!(
        texts(&doc, "#invalid-table tbody tr").len(),
        counts["invalid"]
    );
    let excluded_ids: std::collections::BTreeSet<String> =
        texts(&doc, "article.group tbody tr td:first-child")
            .into_iter()
            .collect();
    assert_eq!(excluded_ids.len(), counts["excluded"]);
    // The page's own script ran under its Content-Security-Policy: it added the filter
    // boxes and the sort buttons.
    assert_eq!(
        texts(&doc, ".tools input").len(),
        texts(&doc, "table.data").len()
    );
    assert!(!texts(&doc, "th button.sort").is_empty());
}

#[test]
fn input_markup_renders_as_text_in_the_browser() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    report(
        &[
            "tests/report_fixtures/policy.icp",
            "tests/report_fixtures/input.csv",
            "tests/report_fixtures/input2.jsonl",
        ],
        &page,
    );
    let doc = rendered_dom(&browser, &page);
    // One script element: the report's own. The company's name is a cell's text.
    assert_eq!(texts(&doc, "script").len(), 1);
    assert!(texts(&doc, "td").contains(&"<script>alert(1)</script>".to_string()));
    assert!(texts(&doc, "b").is_empty());
    assert_eq!(texts(&doc, "#total-all"), ["8"]);
}

#[test]
fn a_screenshot_can_be_taken() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    report(&["rules/icp.icp", "examples/prospects.csv"], &page);
    let shot = dir.path().join("report.png");
    chromium(
        &browser,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
        ],
        &page,
    );
    let bytes = std::fs::read(&shot).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "suspiciously small: {} bytes",
        bytes.len()
    );
}
