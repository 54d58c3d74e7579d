//! A server cursor kept as BSON: the driver's raw batch cursor plus a buffer of documents.
//! Batches are fetched lazily (getMore only when the buffer is empty); dropping an unfinished
//! cursor makes the driver send killCursors.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use futures_util::StreamExt;
use mongodb::bson::{Document, RawDocument};
use mongodb::raw_batch_cursor::{RawBatch, RawBatchCursor};

use super::error::{classify, is_not_primary_code, map_class, ConnError, ErrClass, ErrCtx};
use super::runtime::{block_on, drop_in_runtime};

/// What the error messages of later getMores need to know.
#[derive(Clone, Debug)]
pub struct CursorCtx {
    pub command: String,
    pub replica_set: bool,
    pub to_primary: bool,
    pub selection_timeout_secs: f64,
}

pub struct ShellCursor {
    stream: Option<RawBatchCursor>,
    buffer: VecDeque<Document>,
    /// The server has no more batches (cursor id 0, or the stream ended).
    exhausted: bool,
    /// Documents handed out so far (`itcount`-style bookkeeping for callers).
    returned: u64,
    interrupt: Arc<AtomicBool>,
    ctx: CursorCtx,
}

fn batch_docs(batch: &RawBatch) -> Result<(Vec<Document>, bool), ConnError> {
    let bad =
        |what: &str| ConnError::Other(format!("invalid cursor reply from the server: {what}"));
    let slices = batch.doc_slices().map_err(|e| bad(&e.to_string()))?;
    let mut docs = Vec::new();
    for item in slices {
        let item = item.map_err(|e| bad(&e.to_string()))?;
        let raw: &RawDocument = item
            .as_document()
            .ok_or_else(|| bad("a batch element is not a document"))?;
        docs.push(Document::try_from(raw).map_err(|e| bad(&e.to_string()))?);
    }
    let id = batch
        .as_raw_document()
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_i64("id").ok())
        .unwrap_or(0);
    Ok((docs, id == 0))
}

impl ShellCursor {
    pub(crate) fn new(stream: RawBatchCursor, interrupt: Arc<AtomicBool>, ctx: CursorCtx) -> Self {
        ShellCursor {
            stream: Some(stream),
            buffer: VecDeque::new(),
            exhausted: false,
            returned: 0,
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

    /// Fetch the next batch into the buffer. Returns false when nothing more will come.
    fn fill(&mut self) -> Result<bool, ConnError> {
        while self.buffer.is_empty() {
            if self.exhausted {
                return Ok(false);
            }
            let Some(stream) = self.stream.as_mut() else {
                self.exhausted = true;
                return Ok(false);
            };
            let next = block_on(&self.interrupt, async { stream.next().await })?;
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
                    let (docs, last) = batch_docs(&batch)?;
                    self.buffer.extend(docs);
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
        let d = self.buffer.pop_front();
        if d.is_some() {
            self.returned += 1;
        }
        Ok(d)
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
        self.buffer.len()
    }

    pub fn returned(&self) -> u64 {
        self.returned
    }

    pub fn is_exhausted(&self) -> bool {
        self.exhausted && self.buffer.is_empty()
    }

    /// Close early (`cursor.close()`): kills the server cursor, forgets buffered documents.
    pub fn close(&mut self) {
        self.buffer.clear();
        self.exhausted = true;
        self.release();
    }
}

impl Drop for ShellCursor {
    fn drop(&mut self) {
        self.release();
    }
}
