//! The router's answer to a hello: the byte that accepts it, or the one
//! that names why it is refused.

/// The most a refusal's trailing frame may announce, as a sender reads it.
pub const MAX_REFUSAL_DETAIL: usize = 64 * 1024;

/// The byte the router answers an accepted hello with.
pub const ACCEPTED: u8 = 0xA5;

/// Why the router refused a connection: the byte it answers the hello
/// with, instead of [`ACCEPTED`], just before it closes the connection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Refusal {
    /// The hello is not a [`Hello`](crate::wire::Hello) (it does not decode, or announces more
    /// than [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN)).
    BadHello,
    /// The hello speaks another [`PROTOCOL`](crate::wire::PROTOCOL) version.
    Protocol,
    /// The hello does not carry this router run's secret.
    Secret,
    /// The hello names a pipe this router run never made.
    UnknownPipe,
    /// The hello names a pipe whose sender connected already; a pipe
    /// takes one sender per run.
    AlreadyConnected,
    /// The whole hello did not arrive within the router's hello timeout.
    HelloTimeout,
    /// The hello's [`message_type`](crate::wire::Hello::message_type) is not the
    /// router's: the sender sends another type than the router routes. A
    /// frame holding the router's [`type_name`](crate::wire::Hello::type_name), a
    /// `String`, follows the byte.
    MessageType,
}

impl Refusal {
    /// Every refusal, in the order of their codes.
    pub const ALL: [Self; 7] = [
        Self::BadHello,
        Self::Protocol,
        Self::Secret,
        Self::UnknownPipe,
        Self::AlreadyConnected,
        Self::HelloTimeout,
        Self::MessageType,
    ];

    /// The byte that stands for this refusal on the wire.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::BadHello => 0x01,
            Self::Protocol => 0x02,
            Self::Secret => 0x03,
            Self::UnknownPipe => 0x04,
            Self::AlreadyConnected => 0x05,
            Self::HelloTimeout => 0x06,
            Self::MessageType => 0x07,
        }
    }

    /// The refusal a byte stands for, if it stands for one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|refusal| refusal.code() == code)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn refusal_codes_are_distinct_read_back_and_never_the_accept_byte() {
        for refusal in Refusal::ALL {
            assert_ne!(refusal.code(), ACCEPTED);
            assert_eq!(Refusal::from_code(refusal.code()), Some(refusal));
        }
        let mut codes: Vec<u8> = Refusal::ALL.iter().map(|r| r.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), Refusal::ALL.len());
        assert_eq!(Refusal::from_code(ACCEPTED), None);
        assert_eq!(Refusal::from_code(0), None);
    }
}
