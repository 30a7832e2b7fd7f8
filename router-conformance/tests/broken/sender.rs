//! The sender of a [`Broken`](super::Broken) router.

use router_conformance::Msg;
use router_conformance::api::{MessageSender, PipeId, SendError, SenderError};

use super::Flaw;

pub(crate) struct BrokenSender<S: MessageSender<Msg>> {
    inner: S,
    flaw: Flaw,
    /// The first of a pair, held back to be sent after the second
    /// ([`Flaw::Reordering`]).
    held: Option<Msg>,
}

impl<S: MessageSender<Msg>> BrokenSender<S> {
    pub(crate) fn new(inner: S, flaw: Flaw) -> Self {
        Self {
            inner,
            flaw,
            held: None,
        }
    }

    fn flush(&mut self) {
        if let Some(message) = self.held.take() {
            let _ = self.inner.send(message);
        }
    }
}

impl<S: MessageSender<Msg>> MessageSender<Msg> for BrokenSender<S> {
    fn pipe_id(&self) -> PipeId {
        self.inner.pipe_id()
    }

    fn start(&mut self) -> Result<(), SenderError> {
        match self.inner.start() {
            Err(SenderError::AlreadyStarted { .. }) if self.flaw == Flaw::RestartableSender => {
                Ok(())
            }
            started => started,
        }
    }

    fn send(&mut self, message: Msg) -> Result<(), SendError<Msg>> {
        match self.flaw {
            Flaw::Reordering => match self.held.take() {
                None => {
                    self.held = Some(message);
                    Ok(())
                }
                Some(first) => {
                    self.inner.send(message)?;
                    self.inner.send(first)
                }
            },
            Flaw::SwallowedDisconnect => match self.inner.send(message) {
                Err(error) if matches!(error.reason(), SenderError::Disconnected { .. }) => Ok(()),
                sent => sent,
            },
            _ => self.inner.send(message),
        }
    }

    fn stop(&mut self) -> Result<(), SenderError> {
        if self.flaw == Flaw::StopIgnored {
            return Ok(());
        }
        self.flush();
        self.inner.stop()
    }
}

impl<S: MessageSender<Msg>> Drop for BrokenSender<S> {
    fn drop(&mut self) {
        self.flush();
    }
}
