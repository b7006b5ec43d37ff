//! Snapshots of every diagnostic kind, rendered without colour at width 80, so that
//! a change of wording or of the underlined span is reviewed, not missed.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::unnecessary_to_owned
)] // tests may panic

use sweetspot::check::{check_path, check_source, PolicyError};
use sweetspot::diagnostics::render;

const RECORD: &str = "record {\n  id: text key\n  country: text\n  industry: one of (software, tobacco)\n  employees: number\n  nps: number?\n  tags: list of text?\n}\n";

fn errors_of(source: &str) -> Vec<PolicyError> {
    match check_source("policy.icp", source) {
        Ok(_) => panic!("expected errors for:\n{source}"),
        Err(errors) => errors,
    }
}

fn rendered(errors: &[PolicyError]) -> String {
    errors
        .iter()
        .map(|e| render(e, false, 80))
        .collect::<Vec<_>>()
        .join("\n")
}

fn with_record(body: &str) -> String {
    format!("policy \"P\" version 1\n{RECORD}{body}")
}

macro_rules! snapshot_case {
    ($name:ident, $code:expr, $source:expr) => {
        #[test]
        fn $name() {
            let errors = errors_of(&$source);
            let codes: Vec<String> = errors.iter().map(|e| e.code_str()).collect();
            assert!(codes.contains(&$code.to_string()), "codes: {codes:?}");
            insta::assert_snapshot!(stringify!($name), rendered(&errors));
        }
    };
}

snapshot_case!(
    syntax_keyword_as_name,
    "sweetspot::syntax::invalid",
    with_record("score test +5\n")
);
snapshot_case!(
    syntax_uppercase_name,
    "sweetspot::syntax::invalid",
    with_record("score Big +5\n")
);
snapshot_case!(
    syntax_missing_string,
    "sweetspot::syntax::invalid",
    with_record("exclude x when employees > 5 because nope\n")
);
snapshot_case!(
    syntax_single_equals,
    "sweetspot::syntax::invalid",
    with_record("score x +5 when employees = 5\n")
);
snapshot_case!(
    syntax_chained_comparison,
    "sweetspot::syntax::chained_comparison",
    with_record("score x +5 when 1 < employees < 9\n")
);
snapshot_case!(
    syntax_is_operand,
    "sweetspot::syntax::is_operand",
    with_record("score x +5 when 1 + 2 is missing\n")
);
snapshot_case!(
    syntax_number_range,
    "sweetspot::syntax::number_range",
    with_record(&format!(
        "score x +5 when employees > 1{}\n",
        "0".repeat(400)
    ))
);
snapshot_case!(
    unknown_field,
    "sweetspot::check::unknown_field",
    with_record("score x +5 when employes > 5\n")
);
snapshot_case!(
    unknown_enum_value,
    "sweetspot::check::unknown_enum_value",
    with_record("exclude x when industry == tobaco because \"no\"\n")
);
snapshot_case!(
    unknown_enum_value_in_list,
    "sweetspot::check::unknown_enum_value",
    with_record("list bad = [tobacco, defence]\nexclude x when industry in bad because \"no\"\n")
);
snapshot_case!(
    type_mismatch_enum_string,
    "sweetspot::check::type_mismatch",
    with_record("score x +5 when industry == \"software\"\n")
);
snapshot_case!(
    type_mismatch_number_text,
    "sweetspot::check::type_mismatch",
    with_record("score x +5 when employees == \"many\"\n")
);
snapshot_case!(
    type_mismatch_not_condition,
    "sweetspot::check::type_mismatch",
    with_record("score x +5 when employees\n")
);
snapshot_case!(
    type_mismatch_arithmetic_on_text,
    "sweetspot::check::type_mismatch",
    with_record("score x (country * 2)\n")
);
snapshot_case!(
    type_mismatch_in_non_list,
    "sweetspot::check::type_mismatch",
    with_record("score x +5 when \"DE\" in country\n")
);
snapshot_case!(
    duplicate_name,
    "sweetspot::check::duplicate_name",
    with_record("score x +5\nreview x when nps < 0 because \"unhappy\"\n")
);
snapshot_case!(
    list_named_like_field,
    "sweetspot::check::duplicate_name",
    with_record("list country = [\"DE\"]\n")
);
snapshot_case!(
    missing_because,
    "sweetspot::check::missing_because",
    with_record("exclude x when country == \"IR\"\n")
);
snapshot_case!(
    tier_without_otherwise,
    "sweetspot::check::tier_otherwise",
    with_record("tier A when score >= 5\ntier B when score >= 1\n")
);
snapshot_case!(
    tier_otherwise_not_last,
    "sweetspot::check::tier_otherwise",
    with_record("tier A otherwise\ntier B when score >= 1\n")
);
snapshot_case!(
    score_outside_tier,
    "sweetspot::check::score_outside_tier",
    with_record("score x +5 when score > 3\n")
);
snapshot_case!(
    record_missing,
    "sweetspot::check::record_count",
    "policy \"P\" version 1\nscore x +5\n".to_string()
);
snapshot_case!(
    record_twice,
    "sweetspot::check::record_count",
    with_record("record { other: text }\n")
);
snapshot_case!(
    key_optional,
    "sweetspot::check::key_optional",
    "policy \"P\" version 1\nrecord { id: text? key }\n".to_string()
);
snapshot_case!(
    header_missing,
    "sweetspot::check::header",
    RECORD.to_string()
);
snapshot_case!(
    unknown_example,
    "sweetspot::check::unknown_reference",
    with_record("example ok { id: \"1\" }\ntest \"t\" { given okay expect qualified }\n")
);
snapshot_case!(unknown_rule_in_test, "sweetspot::check::unknown_reference", with_record("exclude no when country == \"IR\" because \"embargo\"\nexample ok { id: \"1\" }\ntest \"t\" { given ok expect excluded by nope }\n"));
snapshot_case!(
    example_unknown_field,
    "sweetspot::check::unknown_field",
    with_record("example ok { id: \"1\", contry: \"DE\" }\n")
);
snapshot_case!(
    example_wrong_type,
    "sweetspot::check::type_mismatch",
    with_record("example ok { id: \"1\", industry: \"software\" }\n")
);
snapshot_case!(
    mixed_list,
    "sweetspot::check::mixed_list",
    with_record("list l = [\"DE\", 5]\n")
);
snapshot_case!(
    bad_call,
    "sweetspot::check::bad_call",
    with_record("score x (clamp(employees, 1))\n")
);
snapshot_case!(
    unknown_function,
    "sweetspot::check::bad_call",
    with_record("score x (round(employees))\n")
);

#[test]
fn several_errors_are_all_reported() {
    let errors = errors_of(&with_record(
        "score a +5 when employes > 5\nexclude b when country == \"IR\"\nscore c +1 when industry == tobaco\n",
    ));
    let codes: Vec<String> = errors.iter().map(|e| e.code_str()).collect();
    assert_eq!(
        codes,
        [
            "sweetspot::check::unknown_field",
            "sweetspot::check::missing_because",
            "sweetspot::check::unknown_enum_value"
        ]
    );
}

#[test]
fn use_cycle() {
    let errors = match check_path("tests/cases/check_use_cycle/policy.icp".as_ref()) {
        Ok(_) => panic!("a cycle must be rejected"),
        Err(e) => e,
    };
    assert!(errors
        .iter()
        .any(|e| e.code_str() == "sweetspot::check::use_cycle"));
    insta::assert_snapshot!("use_cycle", rendered(&errors));
}

#[test]
fn use_missing() {
    let errors = match check_path("tests/cases/check_use_missing/policy.icp".as_ref()) {
        Ok(_) => panic!("a missing used file must be rejected"),
        Err(e) => e,
    };
    assert!(errors
        .iter()
        .any(|e| e.code_str() == "sweetspot::check::use_missing"));
    insta::assert_snapshot!("use_missing", rendered(&errors));
}

#[test]
fn policy_file_missing() {
    let errors = match check_path("rules/nope.icp".as_ref()) {
        Ok(_) => panic!("a missing file must be rejected"),
        Err(e) => e,
    };
    assert_eq!(errors[0].code_str(), "sweetspot::load::io");
    insta::assert_snapshot!("policy_file_missing", rendered(&errors));
}

#[test]
fn unused_list_is_a_warning() {
    let checked = match check_source("policy.icp", &with_record("list spare = [\"DE\"]\n")) {
        Ok(c) => c,
        Err(e) => panic!("{}", rendered(&e)),
    };
    assert_eq!(checked.warnings.len(), 1);
    insta::assert_snapshot!("unused_list", render(&checked.warnings[0], false, 80));
}
