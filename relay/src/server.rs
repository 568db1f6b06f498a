//! Serving: the HTTP/WebSocket listener and an orderly shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::http;
use crate::relay::Relay;
use crate::sockets::{Peer, Sockets};

/// How long shutdown waits for sessions to finish their in-flight work.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);

/// Serves `relay` on `listener` until `shutdown` resolves, then closes every session, commits
/// queued writes and closes storage.
pub async fn serve(
    listener: TcpListener,
    relay: Arc<Relay>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let token = relay.shutdown.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        token.cancel();
    });
    let app = http::router(relay.clone()).into_make_service_with_connect_info::<Peer>();
    let listener = Sockets {
        listener,
        handshake: Duration::from_secs(relay.config.server.handshake_timeout_secs),
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(relay.shutdown.clone().cancelled_owned())
        .await;
    relay.shut_down(SHUTDOWN_GRACE).await;
    tracing::info!("stopped");
    served
}

/// Serves `/metrics` alone on `listener` (`server.metrics_listen`) until the relay shuts down.
pub async fn serve_metrics(listener: TcpListener, relay: Arc<Relay>) {
    let stop = relay.shutdown.clone();
    let app = http::metrics_router(relay);
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(stop.cancelled_owned())
        .await
    {
        tracing::warn!(error = %e, "the metrics listener stopped");
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
