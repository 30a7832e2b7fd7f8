//! What a parent writes to a child's standard input: a greeting, then one
//! frame (as [`wire`](crate::wire) writes them) per job, holding its name,
//! its kind, the types its handle expects, its arguments and the tokens of
//! its pipes.

use std::any::type_name;
use std::fmt;

use router_jobs::JobSenders;
use serde::{Deserialize, Serialize};

use crate::jobs::carrier::JobWire;
use crate::jobs::refusal::JobKind;
use crate::sender::ProcessSender;
use crate::token::TokenError;
use crate::wire::{self, EncodeError};

/// The first bytes a pool writes to a child, and the version of what
/// follows: a child that reads anything else was not started by a pool.
pub(crate) const GREETING: [u8; 8] = *b"rpjobs\x00\x01";

/// The names of a job's types: its arguments' as sent, and those its
/// handle expects. The child refuses a job it registered with others,
/// before it runs it: postcard says nothing of types, and bytes of one
/// type may decode as another's, wrongly (an `i32` as a `u64`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Signature {
    pub(crate) arguments: String,
    pub(crate) value: String,
    pub(crate) error: String,
    pub(crate) report: String,
}

impl Signature {
    pub(crate) fn of<A: ?Sized, T, E, R>() -> Self {
        // A `str` serializes as a `String` does, and is what a `&str`
        // argument sends.
        let arguments = match type_name::<A>() {
            name if name == type_name::<str>() => type_name::<String>(),
            name => name,
        };
        Self {
            arguments: arguments.to_owned(),
            value: type_name::<T>().to_owned(),
            error: type_name::<E>().to_owned(),
            report: type_name::<R>().to_owned(),
        }
    }

    /// The first part whose type differs from `other`'s: its name, this
    /// one's type and the other's.
    pub(crate) fn differs<'a>(
        &'a self,
        other: &'a Self,
    ) -> Option<(&'static str, &'a str, &'a str)> {
        [
            ("arguments", &self.arguments, &other.arguments),
            ("value", &self.value, &other.value),
            ("error", &self.error, &other.error),
            ("report", &self.report, &other.report),
        ]
        .into_iter()
        .find(|(_, mine, theirs)| mine != theirs)
        .map(|(part, mine, theirs)| (part, mine.as_str(), theirs.as_str()))
    }
}

/// What a job is, without its pipes: what the child's registry checks and
/// runs.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Order {
    pub(crate) name: String,
    pub(crate) kind: JobKind,
    pub(crate) types: Signature,
    /// The arguments, as postcard.
    pub(crate) args: Vec<u8>,
}

/// One job, as it travels to a child: its order and its pipes' tokens.
#[derive(Serialize, Deserialize)]
pub(crate) struct Request {
    pub(crate) order: Order,
    pub(crate) outcome: String,
    pub(crate) cancel: String,
    pub(crate) report: Option<String>,
}

impl Request {
    /// The request for `order`, with the tokens of `senders`, which the
    /// child rebuilds them from (the senders here say nothing when
    /// dropped, from now on).
    pub(crate) fn new(order: Order, senders: &JobSenders<ProcessSender<JobWire>>) -> Self {
        Self {
            order,
            outcome: senders.outcome.token(),
            cancel: senders.cancel.token(),
            report: senders.report.as_ref().map(ProcessSender::token),
        }
    }

    /// The request as one frame.
    pub(crate) fn frame(&self) -> Result<Vec<u8>, EncodeError> {
        wire::encode_frame(self, Vec::new())
    }

    /// The order, and the job's senders rebuilt from their tokens,
    /// un-started.
    pub(crate) fn into_parts(
        self,
    ) -> Result<(Order, JobSenders<ProcessSender<JobWire>>), TokenError> {
        let senders = JobSenders {
            outcome: ProcessSender::from_token(&self.outcome)?,
            cancel: ProcessSender::from_token(&self.cancel)?,
            report: self
                .report
                .as_deref()
                .map(ProcessSender::from_token)
                .transpose()?,
        };
        Ok((self.order, senders))
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The tokens hold the router's secret: they stay out of logs.
        f.debug_struct("Request")
            .field("order", &self.order)
            .finish_non_exhaustive()
    }
}
