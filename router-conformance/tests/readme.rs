//! The README's table of checks is the suite's one list, written out:
//! this test fails when they differ, and prints the table as it should
//! read (paste it over the old one).

use router_conformance::api::DefaultEventLoop;
use router_conformance::std_mpsc::MpscRouter;
use router_conformance::{Msg, suite};

const README: &str = include_str!("../README.md");

/// The heading the table follows.
const SECTION: &str = "### What the suite checks";

/// The table's header and separator rows.
const HEADER: &str = "| rule | test | check (`checks::…`) | needs |\n|---|---|---|---|";

/// The table as the suite's list has it.
fn table_from_the_list() -> String {
    let mut table = String::from(HEADER);
    for check in suite::<DefaultEventLoop, MpscRouter<Msg>>() {
        let needs = check
            .requires()
            .map(|capability| format!("`{capability}`"))
            .unwrap_or_default();
        table.push_str(&format!(
            "\n| {} | `{}` | `{}` | {needs} |",
            check.rule(),
            check.name(),
            check.function()
        ));
    }
    table
}

/// The rows of the README's table, cells trimmed, header included.
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

/// The first table after [`SECTION`].
fn table_in_the_readme() -> String {
    let section = README
        .find(SECTION)
        .map(|at| &README[at..])
        .unwrap_or_else(|| panic!("README.md has no section {SECTION:?}"));
    section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn readme_table_lists_every_check_of_the_suite_with_its_rule_and_needs() {
    let expected = table_from_the_list();
    assert!(
        rows(&table_in_the_readme()) == rows(&expected),
        "README.md's table under {SECTION:?} differs from the suite's list \
         (src/macros.rs); it should read:\n\n{expected}\n"
    );
}

#[test]
fn readme_counts_the_tests_the_macro_writes() {
    let count = suite::<DefaultEventLoop, MpscRouter<Msg>>().len();
    let said = format!("`cargo test` runs {count} tests");
    assert!(
        README.replace('\n', " ").contains(&said),
        "README.md should say {said:?}: the suite has {count} checks"
    );
}

#[test]
fn test_names_are_the_rule_then_the_function() {
    for check in suite::<DefaultEventLoop, MpscRouter<Msg>>() {
        let function = check.function().rsplit("::").next().unwrap_or_default();
        assert_eq!(
            check.name(),
            format!("{}_{function}", check.rule().to_lowercase()),
            "a test is named after its rule and its check"
        );
    }
}

/// The rule ids the README's opening paragraph names, ranges spelled out:
/// `R1–R11` gives R1 to R11.
fn rules_named_at_the_top() -> Vec<String> {
    let opening = README.split("\n\n").nth(1).unwrap_or_default();
    let id = |word: &str| -> Option<(char, u32)> {
        let mut chars = word.chars();
        let family = chars.next().filter(char::is_ascii_uppercase)?;
        Some((family, chars.as_str().parse().ok()?))
    };
    opening
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '–'))
        .flat_map(|word| {
            let (first, last) = word.split_once('–').unwrap_or((word, word));
            match (id(first), id(last)) {
                (Some((family, from)), Some((same, to))) if family == same => (from..=to)
                    .map(|number| format!("{family}{number}"))
                    .collect(),
                _ => Vec::new(),
            }
        })
        .collect()
}

#[test]
fn readme_opening_names_every_rule_the_suite_checks() {
    let named = rules_named_at_the_top();
    for check in suite::<DefaultEventLoop, MpscRouter<Msg>>() {
        assert!(
            named.contains(&check.rule()),
            "README.md's opening paragraph does not name {} ({}); it names {named:?}",
            check.rule(),
            check.name()
        );
    }
}
