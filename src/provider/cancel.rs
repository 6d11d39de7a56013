//! Stopping a request: a [`CancellationToken`] the caller passes to every request, and the
//! Ctrl-C listener that cancels it.
//!
//! A cancelled request ends with [`ProviderError::Interrupted`](super::ProviderError::Interrupted)
//! carrying the text that had arrived, closes its HTTP connection, and kills and reaps the
//! process group of an external tool, so the caller can record the exchange as interrupted and
//! nothing keeps running behind it.

pub use tokio_util::sync::CancellationToken;

/// A token that is cancelled when the user presses Ctrl-C (SIGINT).
///
/// Call it inside a tokio runtime with the signal driver enabled (`enable_all`). The listener
/// lives as long as the runtime. Once it is installed, Ctrl-C no longer ends the process by
/// itself while that runtime runs: the token is the only way it is heard, so run every step of
/// the command that should be interruptible with it.
pub fn interrupt_on_ctrl_c() -> CancellationToken {
    let token = CancellationToken::new();
    let listener = token.clone();
    // On Unix the handler is registered here, before the request starts, not when the task
    // first runs.
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut interrupts) = signal(SignalKind::interrupt()) {
            tokio::spawn(async move {
                if interrupts.recv().await.is_some() {
                    listener.cancel();
                }
            });
        }
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            listener.cancel();
        }
    });
    token
}
