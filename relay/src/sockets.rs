//! The listener's sockets.
//!
//! - No Nagle delay on what the relay sends, and no delayed ACK on what it receives. A client
//!   that leaves Nagle's algorithm on and sends `CLOSE` (which has no reply) followed by its next
//!   `REQ` holds that `REQ` back until the `CLOSE` is ACKed, and Linux delays that ACK by 40 ms:
//!   every such round trip would cost 40 ms. Asking for a quick ACK after each read sends it at
//!   once.
//! - A deadline for the HTTP part: a connection that has not become a WebSocket within
//!   `server.handshake_timeout_secs` of being accepted is closed. Without it, a client that
//!   opens TCP connections and never sends a request would hold a socket each for ever.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;

/// Accepts TCP connections as [`Socket`]s.
pub struct Sockets {
    pub listener: TcpListener,
    /// How long a connection may stay plain HTTP.
    pub handshake: Duration,
}

impl Listener for Sockets {
    type Io = Socket;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (tcp, addr) = Listener::accept(&mut self.listener).await;
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
        let socket = Socket {
            tcp,
            upgraded: Arc::new(AtomicBool::new(false)),
            deadline: Some(Box::pin(tokio::time::sleep(self.handshake))),
        };
        (socket, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Listener::local_addr(&self.listener)
    }
}

/// What handlers learn of the connection: the peer's address, and the switch that lifts the
/// handshake deadline once the connection becomes a WebSocket.
#[derive(Debug, Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    upgraded: Arc<AtomicBool>,
}

impl Peer {
    /// A peer for a connection that is not one of the listener's (tests, `oneshot`).
    pub fn detached(addr: SocketAddr) -> Self {
        Self {
            addr,
            upgraded: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The connection is becoming a WebSocket: it may live on.
    pub fn upgrading(&self) {
        self.upgraded.store(true, Ordering::Release);
    }
}

impl Connected<IncomingStream<'_, Sockets>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Sockets>) -> Self {
        Self {
            addr: *stream.remote_addr(),
            upgraded: stream.io().upgraded.clone(),
        }
    }
}

/// A TCP stream that acknowledges received data at once and ends at its handshake deadline
/// unless it became a WebSocket.
pub struct Socket {
    tcp: TcpStream,
    upgraded: Arc<AtomicBool>,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl Socket {
    /// `Err` once the handshake deadline has passed on a connection that did not upgrade.
    fn check_deadline(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let Some(deadline) = self.deadline.as_mut() else {
            return Ok(());
        };
        if self.upgraded.load(Ordering::Acquire) {
            self.deadline = None;
            return Ok(());
        }
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no WebSocket handshake in time",
            )),
            Poll::Pending => Ok(()),
        }
    }

    fn ack_now(&self) {
        #[cfg(target_os = "linux")]
        if let Err(e) = socket2::SockRef::from(&self.tcp).set_tcp_quickack(true) {
            tracing::trace!("cannot set TCP_QUICKACK: {e}");
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Err(e) = self.check_deadline(cx) {
            return Poll::Ready(Err(e));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.ack_now();
        }
        polled
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
