//! Serving the router on a TCP listener the way `backupchecks serve` needs
//! it on an open network: slow clients are cut off (header read timeout
//! against slowloris, an idle timeout between request-body chunks, a bound
//! on the whole request), the number of open connections is capped, and a
//! shutdown stops accepting at once, lets requests in flight finish up to a
//! bound, then closes what is left so the process always exits.
//!
//! `axum::serve` sets none of these (hyper's header timeout needs a timer it
//! does not give), so the accept loop is hyper's own, one HTTP/1.1
//! connection per task.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::Response;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tower::Service;

/// The limits of [`serve`]; [`ServeLimits::default`] is what `serve` uses
/// unless told otherwise on its command line.
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// From the first byte of a request (or the moment a kept-alive
    /// connection waits for its next one) to the end of its headers.
    pub header_read_timeout: Duration,
    /// The longest a request body may send nothing (a stalled upload).
    pub body_idle_timeout: Duration,
    /// The whole request, body and handler included: 50 MB (the largest
    /// mail) at about 200 KB/s fits in the default.
    pub request_timeout: Duration,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(300),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// How a [`serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// Connections still busy when the shutdown grace ran out, closed then.
    pub cut_off: usize,
}

/// Serves `router` on `listener` under `limits` until `shutdown` completes,
/// then drains as described in the module doc. Handlers see the peer
/// address as `ConnectInfo<SocketAddr>`, as with axum's own serve.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> Served {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        // A slot first: past the cap, connections wait in the kernel's backlog.
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while conns.try_join_next().is_some() {}
        let _ = stream.set_nodelay(true);
        let service = RequestService { router: router.clone(), peer, limits: limits.clone() };
        let conn =
            http.serve_connection(TokioIo::new(stream), hyper::service::service_fn(move |req| service.call(req)));
        let mut stop = stop_rx.clone();
        conns.spawn(async move {
            let _slot = slot;
            let mut conn = pin!(conn);
            tokio::select! {
                r = conn.as_mut() => log_end(r),
                _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                    // Finish the request in flight (if any), then close.
                    conn.as_mut().graceful_shutdown();
                    log_end(conn.await);
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let deadline = tokio::time::sleep(limits.shutdown_grace);
    let mut deadline = pin!(deadline);
    loop {
        tokio::select! {
            next = conns.join_next() => if next.is_none() { return Served { cut_off: 0 } },
            _ = &mut deadline => {
                let cut_off = conns.len();
                tracing::warn!(connections = cut_off, grace = ?limits.shutdown_grace, "shutdown grace over; closing the connections still busy");
                conns.shutdown().await;
                return Served { cut_off };
            }
        }
    }
}

fn log_end(r: hyper::Result<()>) {
    if let Err(e) = r {
        // Timeouts and clients that went away: normal on an open network.
        tracing::debug!(error = %e, "connection ended");
    }
}

/// One connection's view of the router.
#[derive(Clone)]
struct RequestService {
    router: Router,
    peer: SocketAddr,
    limits: ServeLimits,
}

impl RequestService {
    fn call(
        &self,
        req: hyper::Request<Incoming>,
    ) -> impl Future<Output = Result<Response, std::convert::Infallible>> + Send + use<> {
        let mut router = self.router.clone();
        let (peer, limits) = (self.peer, self.limits.clone());
        async move {
            let mut req = req.map(|body| axum::body::Body::new(IdleBody::new(body, limits.body_idle_timeout)));
            req.extensions_mut().insert(ConnectInfo(peer));
            match tokio::time::timeout(limits.request_timeout, router.call(req)).await {
                Ok(resp) => resp,
                Err(_) => {
                    tracing::info!(%peer, timeout = ?limits.request_timeout, "request took too long; answered 408");
                    let mut resp = crate::error::error_response(
                        StatusCode::REQUEST_TIMEOUT,
                        "request_timeout",
                        format!("the request took longer than {} s", limits.request_timeout.as_secs()),
                    );
                    // Its body may be half read: the connection cannot carry another request.
                    resp.headers_mut()
                        .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
                    Ok(resp)
                }
            }
        }
    }
}

/// A request body that fails when the client sends nothing for `idle`.
struct IdleBody {
    inner: Incoming,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl IdleBody {
    fn new(inner: Incoming, idle: Duration) -> IdleBody {
        IdleBody { inner, idle, timer: Box::pin(tokio::time::sleep(idle)) }
    }
}

impl Body for IdleBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = Instant::now() + this.idle;
                this.timer.as_mut().reset(next);
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    Poll::Ready(Some(Err(
                        format!("the request body sent nothing for {} s", this.idle.as_secs_f32()).into()
                    )))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
