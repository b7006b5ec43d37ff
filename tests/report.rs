//! The compliance report through the library: the HTML parsed with `scraper` (totals,
//! groups, escaping) and the Markdown as `insta` snapshots, with a fixed run time.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use scraper::{Html, Selector};
use sweetspot::io::{InputOptions, InputSource};
use sweetspot::report::{build_summary, html, markdown, RunInfo, Summary};
use sweetspot::{DecisionKind, Policy};

const FIXTURE: &str = "tests/report_fixtures/policy.icp";
const INPUTS: [&str; 2] = [
    "tests/report_fixtures/input.csv",
    "tests/report_fixtures/input2.jsonl",
];

fn run_info() -> RunInfo {
    RunInfo {
        generated_at: "2026-01-02T03:04:05Z".to_string(),
        tool_version: "0.0.0-test".to_string(),
    }
}

fn summary_of(policy: &str, inputs: &[&str]) -> Summary {
    let policy = Policy::load(policy).unwrap_or_else(|e| panic!("{e:?}"));
    let sources: Vec<InputSource> = inputs.iter().map(|i| InputSource::File(i.into())).collect();
    let (summary, _warnings) =
        build_summary(&policy, &sources, &InputOptions::default(), run_info())
            .unwrap_or_else(|e| panic!("{e}"));
    summary
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e:?}"));
    doc.select(&selector).collect()
}

fn text_of(doc: &Html, css: &str) -> String {
    let found = select(doc, css);
    assert_eq!(found.len(), 1, "expected one `{css}`");
    found[0].text().collect::<String>().trim().to_string()
}

#[test]
fn html_totals_match_the_evaluation() {
    let summary = summary_of(FIXTURE, &INPUTS);
    let doc = Html::parse_document(&html::render(&summary));
    assert_eq!(text_of(&doc, "#total-qualified"), "2");
    assert_eq!(text_of(&doc, "#total-review"), "2");
    assert_eq!(text_of(&doc, "#total-excluded"), "2");
    assert_eq!(text_of(&doc, "#total-invalid"), "2");
    assert_eq!(text_of(&doc, "#total-all"), "8");
    // Per tier: A holds the two qualified records; B the other valid ones.
    let tier_total = |tier: &str| text_of(&doc, &format!("tr[data-tier=\"{tier}\"] .tier-total"));
    assert_eq!(tier_total("A"), "2");
    assert_eq!(tier_total("B"), "4");
    assert_eq!(tier_total("no tier"), "2");
    // Header: policy, version, hash and each input with its record count.
    assert!(text_of(&doc, "#policy-name").starts_with("Report fixture"));
    assert_eq!(text_of(&doc, "#policy-hash").len(), 64);
    let inputs: Vec<String> = select(&doc, "#inputs li")
        .iter()
        .map(|li| li.text().collect::<String>())
        .collect();
    assert_eq!(
        inputs,
        [
            "tests/report_fixtures/input.csv — 6 records",
            "tests/report_fixtures/input2.jsonl — 2 records"
        ]
    );
    assert_eq!(text_of(&doc, "#generated-at"), "2026-01-02T03:04:05Z");
    // The chart is inline SVG with one bar group per score bucket.
    assert_eq!(select(&doc, "#scores svg").len(), 1);
}

#[test]
fn html_groups_exclusions_by_rule_with_reason_and_condition() {
    let summary = summary_of(FIXTURE, &INPUTS);
    let doc = Html::parse_document(&html::render(&summary));
    let groups = select(&doc, "article.group");
    assert_eq!(groups.len(), 1);
    let group = groups[0];
    assert_eq!(group.value().attr("data-rule"), Some("embargoed"));
    assert_eq!(group.value().attr("data-count"), Some("2"));
    let text: String = group.text().collect();
    assert!(
        text.contains("Embargoed country <not allowed> & never"),
        "{text}"
    );
    assert!(text.contains("country in embargo"), "{text}");
    assert!(
        text.contains("tests/report_fixtures/compliance.icp:3:1"),
        "{text}"
    );
    let ids: Vec<String> = select(&doc, "article.group tbody tr td:first-child")
        .iter()
        .map(|td| td.text().collect())
        .collect();
    assert_eq!(ids, ["c2", "c3"]);

    // The review queue: each record with every reason.
    let rows = select(&doc, "#review-table tbody tr");
    assert_eq!(rows.len(), 2);
    let c6: String = rows[1].text().collect();
    assert!(c6.contains("big_unknown"), "{c6}");
    assert!(c6.contains("revenue missing"), "{c6}");

    // Invalid rows with their errors and line numbers.
    let rows = select(&doc, "#invalid-table tbody tr");
    assert_eq!(rows.len(), 2);
    let c5: String = rows[0].text().collect();
    assert!(c5.contains("privat is not a value of sector"), "{c5}");
    assert!(c5.contains("tests/report_fixtures/input.csv:6"), "{c5}");
    let j2: String = rows[1].text().collect();
    assert!(j2.contains("tests/report_fixtures/input2.jsonl:2"), "{j2}");
}

#[test]
fn html_escapes_every_string_from_the_input() {
    let summary = summary_of(FIXTURE, &INPUTS);
    let page = html::render(&summary);
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<b>bold</b>"));
    let doc = Html::parse_document(&page);
    // Only the report's own script; the company's name is text in a cell.
    assert_eq!(select(&doc, "script").len(), 1);
    assert_eq!(select(&doc, "b").len(), 0);
    let names: Vec<String> = select(&doc, "td")
        .iter()
        .map(|td| td.text().collect::<String>())
        .collect();
    assert!(names.iter().any(|n| n == "<script>alert(1)</script>"));
    assert!(names.iter().any(|n| n == "Tehran \"Works\" | Co"));
}

#[test]
fn html_is_self_contained() {
    let summary = summary_of(FIXTURE, &INPUTS);
    let page = html::render(&summary);
    let doc = Html::parse_document(&page);
    for (css, attr) in [
        ("script[src]", "src"),
        ("link", "href"),
        ("img[src]", "src"),
        ("iframe", "src"),
    ] {
        assert!(select(&doc, css).is_empty(), "found {css} ({attr})");
    }
    // The SVG namespace is a name, not a request.
    assert!(!page
        .replace("http://www.w3.org/2000/svg", "")
        .contains("http://"));
    assert!(!page.contains("https://"));
    assert!(!page.contains("@import"));
    assert!(!page.contains("url("));
    let csp = select(&doc, "meta[http-equiv=\"Content-Security-Policy\"]");
    assert_eq!(csp.len(), 1);
    assert!(csp[0]
        .value()
        .attr("content")
        .unwrap_or("")
        .starts_with("default-src 'none'"));
}

#[test]
fn html_of_the_shipped_examples_matches_eval() {
    let summary = summary_of("rules/icp.icp", &["examples/prospects.csv"]);
    assert_eq!(summary.count(DecisionKind::Qualified), 31);
    assert_eq!(summary.count(DecisionKind::Review), 9);
    assert_eq!(summary.count(DecisionKind::Excluded), 15);
    assert_eq!(summary.count(DecisionKind::Invalid), 5);
    let doc = Html::parse_document(&html::render(&summary));
    assert_eq!(text_of(&doc, "#total-excluded"), "15");
    let groups: Vec<(String, String)> = select(&doc, "article.group")
        .iter()
        .map(|g| {
            (
                g.value().attr("data-rule").unwrap_or("").to_string(),
                g.value().attr("data-count").unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("sanctioned_country".to_string(), "7".to_string()),
            ("no_go_industry".to_string(), "7".to_string()),
            ("merger_bridge".to_string(), "4".to_string()),
        ]
    );
}

#[test]
fn only_the_records_a_person_must_see_are_kept() {
    let summary = summary_of("rules/icp.icp", &["examples/prospects.csv"]);
    assert_eq!(summary.excluded.len(), 15);
    assert_eq!(summary.review.len(), 9);
    assert_eq!(summary.invalid.len(), 5);
    assert_eq!(summary.total(), 60);
}

#[test]
fn markdown_snapshot_of_the_fixture() {
    let summary = summary_of(FIXTURE, &INPUTS);
    insta::assert_snapshot!("report_fixture_md", markdown::render(&summary));
}
