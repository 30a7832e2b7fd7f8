//! What the fuzz targets of the remote backends share (the `fuzz/`
//! project at the repository's root), and the replay of their corpus as
//! plain tests: behind the `fuzzing` feature, not public API.
//!
//! Each target's body is a function of the crate whose decoder it reaches
//! (here [`decode`]), called by the fuzz target under libFuzzer and by a
//! test of that crate for every file of the target's committed corpus and
//! reproducers ([`replay`]), so a fixed finding stays fixed on stable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use router_crossbeam::CrossbeamRouter;

use crate::codec::{MAX_DEPTH, Undecoded, decode_guarded};

/// A message type with every shape postcard writes, recursive as a
/// hostile peer would like: the fuzz targets' message type.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub enum Shape {
    /// Nothing more: variant 0, the `Leaf` of the issue's `Tree`.
    Leaf,
    /// One level deeper: variant 1, the `Node` of the issue's `Tree`.
    Node(Box<Shape>),
    /// A signed number.
    Int(i64),
    /// A float (compared by its bytes: NaN is not equal to itself).
    Float(f32),
    /// Text: UTF-8 checked.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A sequence.
    List(Vec<Shape>),
    /// A map.
    Map(BTreeMap<String, Shape>),
    /// An option.
    Maybe(Option<Box<Shape>>),
    /// A struct variant.
    Named {
        /// A field.
        tag: u16,
        /// A field that nests.
        inner: Box<Shape>,
    },
    /// A newtype struct.
    Wrapped(Wrap),
    /// A tuple variant.
    Pair(char, bool),
}

/// A newtype struct around a [`Shape`].
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Wrap(pub Box<Shape>);

/// A [`Shape`] `depth` nodes deep, as postcard writes it: a node's
/// variant `depth` times, then a leaf's.
#[must_use]
pub fn deep_shape(depth: usize) -> Vec<u8> {
    let mut bytes = vec![1u8; depth];
    bytes.push(0);
    bytes
}

/// Shapes written as postcard, to seed the targets whose messages are
/// [`Shape`]s.
#[must_use]
pub fn shape_seeds() -> Vec<Vec<u8>> {
    let shapes = [
        Shape::Leaf,
        Shape::Node(Box::new(Shape::Int(-5))),
        Shape::Float(1.5),
        Shape::Text("héllo".to_owned()),
        Shape::Bytes(vec![0, 1, 255]),
        Shape::List(vec![Shape::Leaf, Shape::Pair('x', true)]),
        Shape::Map([("k".to_owned(), Shape::Int(7))].into_iter().collect()),
        Shape::Maybe(Some(Box::new(Shape::Maybe(None)))),
        Shape::Named {
            tag: 300,
            inner: Box::new(Shape::Wrapped(Wrap(Box::new(Shape::Leaf)))),
        },
    ];
    let mut seeds: Vec<Vec<u8>> = shapes
        .iter()
        .filter_map(|shape| postcard::to_allocvec(shape).ok())
        .collect();
    seeds.push(deep_shape(MAX_DEPTH - 1));
    seeds.push(deep_shape(MAX_DEPTH + 1));
    seeds
}

/// The target `remote_decode`: the depth-bounded decoder against
/// postcard's own, on any bytes.
///
/// # Panics
///
/// When they disagree: a value the bounded decoder read that postcard
/// reads otherwise (or not at all), or one postcard reads whole that the
/// bounded one refused for any reason but its depth.
pub fn decode(data: &[u8]) {
    match decode_guarded::<Shape>(data) {
        Ok(shape) => {
            // Within the depth, so postcard's own recursion is safe.
            let plain = postcard::from_bytes::<Shape>(data);
            let again = postcard::to_allocvec(&shape).ok();
            let plain_again = plain.ok().and_then(|p| postcard::to_allocvec(&p).ok());
            assert_eq!(
                again, plain_again,
                "the bounded and plain decoders disagree"
            );
            let reread = again.map(|bytes| decode_guarded::<Shape>(&bytes).map(|_| ()));
            assert_eq!(reread, Some(Ok(())), "a decoded shape does not read back");
        }
        // The plain decoder would recurse past the bound: not run.
        Err(Undecoded::TooDeep) => {}
        Err(Undecoded::Invalid(_)) => {
            // It stopped within the bound, as the plain one does.
            let whole = postcard::take_from_bytes::<Shape>(data);
            assert!(
                !matches!(whole, Ok((_, []))),
                "postcard reads bytes the bounded decoder refused"
            );
        }
        Err(Undecoded::Panicked) => panic!("no Deserialize of Shape panics"),
    }
}

/// The files of `target`'s committed corpus and reproducers, under the
/// fuzz project at `fuzz_dir`: `corpus/<target>/*` and
/// `reproducers/<target>/*`, sorted.
///
/// # Panics
///
/// When the corpus directory cannot be read: a target without a corpus
/// would replay nothing and pass.
#[must_use]
pub fn corpus_files(fuzz_dir: &Path, target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for kind in ["corpus", "reproducers"] {
        let dir = fuzz_dir.join(kind).join(target);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(_) if kind == "reproducers" => continue,
            Err(error) => panic!("cannot read {}: {error}", dir.display()),
        };
        files.extend(entries.filter_map(|entry| Some(entry.ok()?.path())));
    }
    files.sort();
    files
}

/// Runs `body` on every file of `target`'s committed corpus and
/// reproducers and on `seeds`: what a plain test does to keep a fixed
/// finding fixed. Returns how many inputs it ran.
///
/// # Panics
///
/// When `body` panics on one (its name is printed first), or a file
/// cannot be read.
pub fn replay(fuzz_dir: &Path, target: &str, seeds: &[Vec<u8>], body: impl Fn(&[u8])) -> usize {
    let files = corpus_files(fuzz_dir, target);
    assert!(
        !files.is_empty(),
        "{target} has no corpus in {}",
        fuzz_dir.display()
    );
    for file in &files {
        let data = std::fs::read(file)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
        eprintln!("{target}: {}", file.display());
        body(&data);
    }
    for seed in seeds {
        body(seed);
    }
    files.len() + seeds.len()
}

/// Writes `seeds` into `target`'s corpus under `fuzz_dir`, as
/// `seed-<from>-<n>` (`from` the crate that wrote them): how a target's
/// corpus starts, from the crates' own encoders.
///
/// # Panics
///
/// When a file cannot be written.
pub fn write_seeds(fuzz_dir: &Path, target: &str, from: &str, seeds: &[Vec<u8>]) {
    let dir = fuzz_dir.join("corpus").join(target);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|error| panic!("cannot make {}: {error}", dir.display()));
    for (n, seed) in seeds.iter().enumerate() {
        let file = dir.join(format!("seed-{from}-{n}"));
        std::fs::write(&file, seed)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", file.display()));
    }
}

/// A target: its name, and its body.
pub type Target = (&'static str, fn(&[u8]));

/// A finding kept as a test: the target it reaches, its file's name under
/// `reproducers/<target>/`, and its bytes.
pub type Reproducer = (&'static str, &'static str, Vec<u8>);

/// The fuzz project of the repository whose crate is at `manifest_dir`.
#[must_use]
pub fn fuzz_dir(manifest_dir: &str) -> PathBuf {
    Path::new(manifest_dir).join("../fuzz")
}

/// Replays each of `targets`, with its seeds, as [`replay`] does.
pub fn replay_all(fuzz_dir: &Path, targets: &[Target], seeds: impl Fn(&str) -> Vec<Vec<u8>>) {
    for (target, body) in targets {
        replay(fuzz_dir, target, &seeds(target), body);
    }
}

/// Checks that each of `reproducers` is committed, as it is made.
///
/// # Panics
///
/// When one is missing or holds other bytes.
pub fn assert_committed(fuzz_dir: &Path, reproducers: &[Reproducer]) {
    for (target, name, data) in reproducers {
        let file = fuzz_dir.join("reproducers").join(target).join(name);
        let committed = std::fs::read(&file).ok();
        assert!(
            committed.as_ref() == Some(data),
            "{} is not as made",
            file.display()
        );
    }
}

/// Writes the seeds of each of `targets` ([`write_seeds`]) and the
/// `reproducers`.
///
/// # Panics
///
/// When a file cannot be written.
pub fn write_corpus(
    fuzz_dir: &Path,
    from: &str,
    targets: &[Target],
    seeds: impl Fn(&str) -> Vec<Vec<u8>>,
    reproducers: &[Reproducer],
) {
    for (target, _) in targets {
        write_seeds(fuzz_dir, target, from, &seeds(target));
    }
    for (target, name, data) in reproducers {
        let dir = fuzz_dir.join("reproducers").join(target);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|error| panic!("cannot make {}: {error}", dir.display()));
        std::fs::write(dir.join(name), data)
            .unwrap_or_else(|error| panic!("cannot write {name}: {error}"));
    }
}

/// Writes a crate's tests of its fuzz targets: one that replays each
/// target's committed corpus, reproducers and seeds ([`replay_all`]) and
/// checks the reproducers are committed as made ([`assert_committed`]),
/// and an ignored one that writes them ([`write_corpus`]). The crate's
/// module that calls it has `seeds(target)` and `reproducers()`.
#[macro_export]
macro_rules! fuzz_corpus_tests {
    ($from:literal, [$(($target:literal, $body:ident)),* $(,)?]) => {
        #[cfg(test)]
        mod corpus_tests {
            use super::*;

            const TARGETS: &[$crate::fuzzing::Target] = &[$(($target, $body)),*];

            fn dir() -> ::std::path::PathBuf {
                $crate::fuzzing::fuzz_dir(env!("CARGO_MANIFEST_DIR"))
            }

            #[test]
            fn corpus_and_reproducers_replay() {
                $crate::fuzzing::replay_all(&dir(), TARGETS, seeds);
                $crate::fuzzing::assert_committed(&dir(), &reproducers());
            }

            #[test]
            #[ignore = "writes the seeds and reproducers of the fuzz corpus: run it by name"]
            fn write_fuzz_seeds() {
                $crate::fuzzing::write_corpus(&dir(), $from, TARGETS, seeds, &reproducers());
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        fuzz_dir(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn remote_decode_corpus_replays() {
        let ran = replay(&dir(), "remote_decode", &shape_seeds(), decode);
        assert!(ran > shape_seeds().len());
    }

    #[test]
    #[ignore = "writes the seeds of the fuzz corpus: run it by name"]
    fn write_fuzz_seeds() {
        write_seeds(&dir(), "remote_decode", "remote", &shape_seeds());
    }
}
