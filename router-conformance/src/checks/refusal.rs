//! Calls that must fail.

/// The error of a call that must fail; panics naming `call` and the error
/// `expected` when it succeeds instead.
pub(crate) fn refused<T, E>(result: Result<T, E>, call: &str, expected: &str) -> E {
    match result {
        Ok(_) => panic!("{call} succeeded; it must fail with {expected}"),
        Err(error) => error,
    }
}
