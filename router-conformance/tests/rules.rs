//! RULES.md's table of checks ("## Rules and their checks") is the
//! suite's one list, grouped by rule: this test fails when they differ,
//! and prints the table as it should read (paste it over the old one).
//! It also holds RULES.md to its count of checks and to its rules: each
//! rule it states (`- **R4** ...`) has a check, and each check's rule is
//! one it states.

use std::collections::BTreeSet;

use router_conformance::api::DefaultEventLoop;
use router_conformance::jobs::JobMessage;
use router_conformance::std_mpsc::MpscRouter;
use router_conformance::{Capability, Check, Msg, job_suite, suite};

const RULES: &str = include_str!("../../RULES.md");

/// The heading the table follows.
const SECTION: &str = "## Rules and their checks";

/// The table's header and separator rows.
const HEADER: &str = "| rule | prefix | checks |\n|---|---|---|";

/// One row of the lists: a check's name, its rule and what it needs.
struct Row {
    name: &'static str,
    rule: String,
    requires: Option<Capability>,
}

fn row<L, R>(check: &Check<L, R>) -> Row {
    Row {
        name: check.name(),
        rule: check.rule(),
        requires: check.requires(),
    }
}

/// The router's checks, then the jobs layer's.
fn checks() -> Vec<Row> {
    let routers = suite::<DefaultEventLoop, MpscRouter<Msg>>();
    let jobs = job_suite::<DefaultEventLoop, MpscRouter<JobMessage>>();
    routers
        .iter()
        .map(row)
        .chain(jobs.iter().map(row))
        .collect()
}

/// The section, up to the next heading of its level or above.
fn section() -> &'static str {
    let at = RULES
        .find(SECTION)
        .unwrap_or_else(|| panic!("RULES.md has no section {SECTION:?}"));
    let body = &RULES[at + SECTION.len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    &body[..end]
}

/// The table as the suite's list has it: one row per rule, in the order
/// of the list, its checks in that order too.
fn table_from_the_list() -> String {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for check in checks() {
        let cell = match check.requires {
            Some(capability) => format!("`{}` (needs `{capability}`)", check.name),
            None => format!("`{}`", check.name),
        };
        match rows.iter_mut().find(|(rule, _)| *rule == check.rule) {
            Some((_, cells)) => cells.push(cell),
            None => rows.push((check.rule, vec![cell])),
        }
    }
    let mut table = String::from(HEADER);
    for (rule, cells) in rows {
        let prefix = format!("{}_", rule.to_lowercase());
        table.push_str(&format!("\n| {rule} | `{prefix}` | {} |", cells.join(", ")));
    }
    table
}

/// The first table of the section.
fn table_in_rules() -> String {
    section()
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of a table, cells trimmed, header included.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn rules_table_lists_every_check_of_the_suite_under_its_rule_with_its_needs() {
    let expected = table_from_the_list();
    assert!(
        rows(&table_in_rules()) == rows(&expected),
        "RULES.md's table under {SECTION:?} differs from the suite's list \
         (router-conformance/src/macros.rs); it should read:\n\n{expected}\n"
    );
}

#[test]
fn rules_counts_the_checks_of_the_suite() {
    let count = checks().len();
    let said = format!("({count} checks)");
    assert!(
        section().replace('\n', " ").contains(&said),
        "RULES.md's section {SECTION:?} should say {said:?}: the suite has {count} checks"
    );
}

#[test]
fn every_rule_stated_has_a_check_and_every_check_a_stated_rule() {
    let stated: BTreeSet<String> = RULES
        .lines()
        .filter_map(|line| line.strip_prefix("- **")?.split_once("**"))
        .map(|(id, _)| id.to_owned())
        .collect();
    let checked: BTreeSet<String> = checks().into_iter().map(|check| check.rule).collect();
    assert_eq!(
        stated, checked,
        "the rules RULES.md states (left) and the rules the suite checks (right) differ"
    );
}
