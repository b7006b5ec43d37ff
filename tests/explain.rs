//! Explanations of the shipped examples: snapshots for each kind of decision, and
//! checks that every suggested change really reaches its goal.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::PathBuf;

use sweetspot::explain::{explain, render_text, suggest, Advice, Goal};
use sweetspot::io::{id_text, read_records, InputOptions, InputSource};
use sweetspot::{DecisionKind, Policy, Record};

fn policy() -> Policy {
    Policy::load("rules/icp.icp").unwrap_or_else(|e| panic!("{} errors", e.len()))
}

fn prospects(policy: &Policy) -> Vec<Record> {
    let mut records = Vec::new();
    let source = InputSource::File(PathBuf::from("examples/prospects.csv"));
    read_records(
        &source,
        &policy.schema,
        &InputOptions::default(),
        &mut |r| {
            records.push(r);
            Ok(())
        },
    )
    .unwrap();
    records
}

fn text_for(id: &str) -> String {
    let policy = policy();
    let record = prospects(&policy)
        .into_iter()
        .find(|r| id_text(&r.id) == id)
        .unwrap();
    render_text(&policy, &explain(&policy, &record), false, 80)
}

#[test]
fn qualified_tier_a() {
    insta::assert_snapshot!(text_for("p004"));
}

#[test]
fn qualified_tier_b() {
    insta::assert_snapshot!(text_for("p001"));
}

#[test]
fn qualified_tier_c() {
    insta::assert_snapshot!(text_for("p021"));
}

#[test]
fn review_from_a_review_rule() {
    insta::assert_snapshot!(text_for("p020"));
}

#[test]
fn review_from_unknown_data() {
    insta::assert_snapshot!(text_for("p013"));
}

#[test]
fn excluded_by_one_rule() {
    insta::assert_snapshot!(text_for("p008"));
}

#[test]
fn excluded_by_several_rules() {
    insta::assert_snapshot!(text_for("p005"));
}

#[test]
fn invalid_record() {
    insta::assert_snapshot!(text_for("p006"));
}

#[test]
fn json_form_has_every_rule_with_location_and_values() {
    let policy = policy();
    let record = prospects(&policy)
        .into_iter()
        .find(|r| id_text(&r.id) == "p008")
        .unwrap();
    let json = explain(&policy, &record).to_json(&policy);
    assert_eq!(json["decision"], "excluded");
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), policy.rules.len());
    let no_go = rules
        .iter()
        .find(|r| r["rule"] == "no_go_industry")
        .unwrap();
    assert_eq!(no_go["truth"], "true");
    assert_eq!(no_go["effect"], "exclude");
    assert_eq!(no_go["location"]["file"], "rules/sanctions.icp");
    assert_eq!(no_go["values"]["industry"], "defense");
    assert_eq!(
        no_go["facts"][0]["with_values"],
        "defense in no_go_industries"
    );
    assert_eq!(json["suggestions"]["status"], "excluded");
    assert_eq!(json["suggestions"]["options"], serde_json::json!([]));
}

#[test]
fn every_suggestion_is_verified_and_excluded_records_get_none() {
    let policy = policy();
    let mut checked = 0;
    for record in prospects(&policy) {
        let decision = policy.evaluate(&record);
        match suggest::suggest(&policy, &record, &decision) {
            Advice::Excluded => assert_eq!(decision.kind, DecisionKind::Excluded),
            Advice::Invalid => assert_eq!(decision.kind, DecisionKind::Invalid),
            Advice::AtTop => assert_eq!(decision.tier, Some(0)),
            Advice::Found(goal, found) => {
                assert_ne!(decision.kind, DecisionKind::Excluded);
                for s in found {
                    let changed = suggest::apply(&record, &s.changes);
                    let again = policy.evaluate(&changed);
                    assert_eq!(again, s.decision, "{}", id_text(&record.id));
                    match goal {
                        Goal::SettleReview => assert_eq!(again.kind, DecisionKind::Qualified),
                        Goal::TierAbove(t) => {
                            assert_eq!(again.kind, DecisionKind::Qualified);
                            assert!(again.tier.is_some_and(|n| n < t));
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} suggestions checked");
}
