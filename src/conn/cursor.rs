//! A server cursor kept as BSON: the driver's raw batch cursor plus the current batch, kept as
//! the server's bytes. Documents are decoded one at a time as they are asked for, so a large
//! batch (a getMore answers with up to 16 MiB) costs its wire size, not one decoded `Document`
//! per entry (several times larger). Batches are fetched lazily (getMore only when the current
//! one is used up); dropping an unfinished cursor makes the driver send killCursors.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use futures_util::StreamExt;
use mongodb::bson::{Document, RawDocument};
use mongodb::raw_batch_cursor::{RawBatch, RawBatchCursor, SessionRawBatchCursor};

use super::error::{classify, is_not_primary_code, map_class, ConnError, ErrClass, ErrCtx};
use super::runtime::{block_on, block_on_ticking, drop_in_runtime};

/// What the error messages of later getMores need to know.
#[derive(Clone, Debug)]
pub struct CursorCtx {
    pub command: String,
    pub replica_set: bool,
    pub to_primary: bool,
    pub selection_timeout_secs: f64,
    /// `socketTimeoutMS` and the connection's unanswered commands, for getMores.
    pub socket_timeout: Option<(super::socket_timeout::InFlight, std::time::Duration)>,
}

/// The driver's cursor: on the implicit session, or on an explicit one (whose getMores must
/// carry the same session).
pub(crate) enum Stream {
    Implicit(RawBatchCursor),
    Explicit(SessionRawBatchCursor, super::session::Shared),
}

pub struct ShellCursor {
    stream: Option<Stream>,
    /// The batch documents are being taken from (`None` once it is used up).
    batch: Option<RawBatch>,
    /// Byte ranges, in `batch`'s reply, of the documents not handed out yet.
    pending: VecDeque<(usize, usize)>,
    /// The server has no more batches (cursor id 0, or the stream ended).
    exhausted: bool,
    /// Documents handed out so far (`itcount`-style bookkeeping for callers).
    returned: u64,
    /// The server's cursor id from the last batch (0 once the server has closed it).
    server_id: i64,
    interrupt: Arc<AtomicBool>,
    ctx: CursorCtx,
}

/// `block_on`, ended by `socketTimeoutMS` when a getMore goes unanswered that long.
fn block_on_within<F: std::future::Future>(
    interrupt: &AtomicBool,
    ctx: &CursorCtx,
    fut: F,
) -> Result<F::Output, ConnError> {
    let Some((in_flight, limit)) = &ctx.socket_timeout else {
        return block_on(interrupt, fut);
    };
    in_flight.reset();
    block_on_ticking(interrupt, fut, |_| {
        in_flight
            .overdue(*limit)
            .map(|name| super::socket_timeout::socket_timeout_error(&name, *limit))
    })
}

fn bad_reply(what: &str) -> ConnError {
    ConnError::Other(format!("invalid cursor reply from the server: {what}"))
}

/// Where each document of `batch` lies in its reply bytes, and the server cursor's id (0 when
/// it is finished). The driver's document views borrow the reply, so each range is found from
/// the view's position in it, then checked.
fn batch_ranges(batch: &RawBatch) -> Result<(VecDeque<(usize, usize)>, i64), ConnError> {
    let reply = batch.as_raw_document().as_bytes();
    let base = reply.as_ptr() as usize;
    let slices = batch.doc_slices().map_err(|e| bad_reply(&e.to_string()))?;
    let mut ranges = VecDeque::new();
    for item in slices {
        let item = item.map_err(|e| bad_reply(&e.to_string()))?;
        let raw: &RawDocument = item
            .as_document()
            .ok_or_else(|| bad_reply("a batch element is not a document"))?;
        let bytes = raw.as_bytes();
        let start = (bytes.as_ptr() as usize)
            .checked_sub(base)
            .filter(|s| s + bytes.len() <= reply.len())
            .ok_or_else(|| bad_reply("a document outside the reply"))?;
        ranges.push_back((start, start + bytes.len()));
    }
    let id = batch
        .as_raw_document()
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_i64("id").ok())
        .unwrap_or(0);
    Ok((ranges, id))
}

/// Decode the document at `range` of `batch`'s reply.
fn decode(batch: &RawBatch, range: (usize, usize)) -> Result<Document, ConnError> {
    let bytes = batch
        .as_raw_document()
        .as_bytes()
        .get(range.0..range.1)
        .ok_or_else(|| bad_reply("a document outside the reply"))?;
    let raw = RawDocument::from_bytes(bytes).map_err(|e| bad_reply(&e.to_string()))?;
    Document::try_from(raw).map_err(|e| bad_reply(&e.to_string()))
}

impl ShellCursor {
    pub(crate) fn new(stream: Stream, interrupt: Arc<AtomicBool>, ctx: CursorCtx) -> Self {
        ShellCursor {
            stream: Some(stream),
            batch: None,
            pending: VecDeque::new(),
            exhausted: false,
            returned: 0,
            server_id: 0,
            interrupt,
            ctx,
        }
    }

    fn map_err(&self, e: mongodb::error::Error) -> ConnError {
        let c = ErrCtx {
            command: "getMore",
            replica_set: self.ctx.replica_set,
            to_primary: self.ctx.to_primary,
            selection_timeout_secs: self.ctx.selection_timeout_secs,
            facts: Default::default(),
        };
        match classify(&e) {
            ErrClass::Command { code, reply } => {
                if c.replica_set && c.to_primary && is_not_primary_code(code) {
                    ConnError::PrimaryChanged {
                        command: self.ctx.command.clone(),
                    }
                } else {
                    ConnError::Server(reply)
                }
            }
            other => map_class(other, &c),
        }
    }

    /// Fetch the next batch when the current one is used up. Returns false when nothing more
    /// will come.
    fn fill(&mut self) -> Result<bool, ConnError> {
        while self.pending.is_empty() {
            // The used-up batch goes before the next one arrives: one batch in memory at a time.
            self.batch = None;
            if self.exhausted {
                return Ok(false);
            }
            let Some(stream) = self.stream.as_mut() else {
                self.exhausted = true;
                return Ok(false);
            };
            let next = match stream {
                Stream::Implicit(s) => {
                    block_on_within(&self.interrupt, &self.ctx, async { s.next().await })?
                }
                Stream::Explicit(c, session) => {
                    let session = session.clone();
                    block_on_within(&self.interrupt, &self.ctx, async move {
                        c.stream(&mut session.lock().await.session).next().await
                    })?
                }
            };
            match next {
                None => {
                    self.exhausted = true;
                    self.release();
                }
                Some(Err(e)) => {
                    let err = self.map_err(e);
                    self.exhausted = true;
                    self.release();
                    return Err(err);
                }
                Some(Ok(batch)) => {
                    let (ranges, id) = batch_ranges(&batch)?;
                    let last = id == 0;
                    self.server_id = id;
                    self.pending = ranges;
                    self.batch = Some(batch);
                    if last {
                        self.exhausted = true;
                        self.release();
                    }
                }
            }
        }
        Ok(true)
    }

    /// Drop the driver cursor (sends killCursors if the server still holds it).
    fn release(&mut self) {
        if let Some(s) = self.stream.take() {
            drop_in_runtime(s);
        }
    }

    /// The next document, fetching a batch when needed.
    pub fn next_doc(&mut self) -> Result<Option<Document>, ConnError> {
        if !self.fill()? {
            return Ok(None);
        }
        let (Some(batch), Some(range)) = (self.batch.as_ref(), self.pending.pop_front()) else {
            return Ok(None);
        };
        let d = decode(batch, range)?;
        self.returned += 1;
        Ok(Some(d))
    }

    /// Up to `max` documents (fewer only when the cursor ends).
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<Document>, ConnError> {
        let mut out = Vec::new();
        while out.len() < max {
            match self.next_doc()? {
                Some(d) => out.push(d),
                None => break,
            }
        }
        Ok(out)
    }

    /// Whether another document exists (may fetch a batch).
    pub fn has_next(&mut self) -> Result<bool, ConnError> {
        self.fill()
    }

    /// Documents left in the current batch without another round trip.
    pub fn buffered(&self) -> usize {
        self.pending.len()
    }

    pub fn returned(&self) -> u64 {
        self.returned
    }

    /// The server's cursor id (0 when the server holds no more results). Opens the cursor
    /// (first batch) when nothing was fetched yet.
    pub fn server_id(&mut self) -> Result<i64, ConnError> {
        if self.batch.is_none() && !self.exhausted {
            self.fill()?;
        }
        Ok(if self.exhausted { 0 } else { self.server_id })
    }

    pub fn is_exhausted(&self) -> bool {
        self.exhausted && self.pending.is_empty()
    }

    /// Close early (`cursor.close()`): kills the server cursor, forgets buffered documents.
    pub fn close(&mut self) {
        self.pending.clear();
        self.batch = None;
        self.exhausted = true;
        self.server_id = 0;
        self.release();
    }
}

impl Drop for ShellCursor {
    fn drop(&mut self) {
        self.release();
    }
}
