//! One set of lints for every workspace of the repository.
//!
//! Cargo cannot include one manifest's `[workspace.lints]` in another's,
//! so the root `Cargo.toml`, `desktop/Cargo.toml` and `servers/Cargo.toml`
//! each write them out. This test fails when a copy differs from the
//! root's, and shows how.
#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The manifests whose lints must match the root's, from the repository root.
const COPIES: [&str; 2] = ["desktop/Cargo.toml", "servers/Cargo.toml"];

/// Each `[workspace.lints.*]` table of a manifest, by its header, with its
/// entries in order (blank lines and comment lines left out).
type Lints = BTreeMap<String, Vec<String>>;

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("router-reliability sits in the repository root")
        .to_path_buf()
}

fn lints_of(manifest: &str) -> Lints {
    let path = repository_root().join(manifest);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut lints = Lints::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line
                .starts_with("[workspace.lints")
                .then(|| line.to_owned());
            if let Some(header) = &table {
                lints.entry(header.clone()).or_default();
            }
        } else if let Some(header) = &table
            && !line.is_empty()
            && !line.starts_with('#')
        {
            lints
                .get_mut(header)
                .expect("the table was entered above")
                .push(line.to_owned());
        }
    }
    lints
}

/// How `copy` differs from `root`, table by table: `-` for an entry only
/// the root has, `+` for one only the copy has; empty when they agree.
fn difference(root: &Lints, copy: &Lints) -> String {
    let mut shown = String::new();
    let only_in_copy = copy.keys().filter(|header| !root.contains_key(*header));
    for header in root.keys().chain(only_in_copy) {
        let (ours, theirs) = (root.get(header), copy.get(header));
        if ours == theirs {
            continue;
        }
        let _ = writeln!(shown, "  {header}");
        let (ours, theirs) = match (ours, theirs) {
            (Some(ours), Some(theirs)) => (ours.as_slice(), theirs.as_slice()),
            (Some(ours), None) => {
                let _ = writeln!(shown, "    (missing from the copy)");
                (ours.as_slice(), &[][..])
            }
            (None, theirs) => {
                let _ = writeln!(shown, "    (only in the copy)");
                (&[][..], theirs.map_or(&[][..], Vec::as_slice))
            }
        };
        let removed = ours.iter().filter(|line| !theirs.contains(line));
        let added = theirs.iter().filter(|line| !ours.contains(line));
        let mut changed = false;
        for (sign, line) in removed.map(|l| ('-', l)).chain(added.map(|l| ('+', l))) {
            let _ = writeln!(shown, "    {sign} {line}");
            changed = true;
        }
        if !changed && !ours.is_empty() {
            let _ = writeln!(shown, "    the same entries in another order");
        }
    }
    shown
}

#[test]
fn every_workspace_has_the_root_workspace_lints() {
    let root = lints_of("Cargo.toml");
    for table in ["[workspace.lints.rust]", "[workspace.lints.clippy]"] {
        assert!(
            root.get(table).is_some_and(|entries| !entries.is_empty()),
            "the root Cargo.toml has no {table} (or this test no longer finds it)"
        );
    }
    let mut report = String::new();
    for manifest in COPIES {
        let shown = difference(&root, &lints_of(manifest));
        if !shown.is_empty() {
            let _ = writeln!(
                report,
                "{manifest} (- root Cargo.toml, + {manifest}):\n{shown}"
            );
        }
    }
    assert!(
        report.is_empty(),
        "the [workspace.lints] of each workspace must be the root's, copied:\n{report}"
    );
}

#[test]
fn a_drifted_copy_is_shown_entry_by_entry() {
    let root = Lints::from([(
        "[workspace.lints.rust]".to_owned(),
        vec!["a = \"warn\"".to_owned(), "b = \"deny\"".to_owned()],
    )]);
    let copy = Lints::from([
        (
            "[workspace.lints.rust]".to_owned(),
            vec!["a = \"warn\"".to_owned(), "b = \"warn\"".to_owned()],
        ),
        (
            "[workspace.lints.clippy]".to_owned(),
            vec!["c = \"warn\"".to_owned()],
        ),
    ]);
    assert_eq!(
        difference(&root, &copy),
        "  [workspace.lints.rust]\n    - b = \"deny\"\n    + b = \"warn\"\n  \
         [workspace.lints.clippy]\n    (only in the copy)\n    + c = \"warn\"\n"
    );
    assert_eq!(difference(&root, &root), "");
}
