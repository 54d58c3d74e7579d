//! Natives bridging the JS prelude (`Mongo`, `DB`, `DBCollection`, `DBQuery`, `rs`) to the
//! connection layer. Connections and cursors live on the Rust side in [`Conns`] (context data)
//! and are named by small integer handles; JS never holds driver objects.
//!
//! * `commands.rs`: `__runCommand`, `__write`.
//! * `cursors.rs`: `__cursorOpen`, `__cursorNext`, `__cursorHasNext`, `__cursorPrint`, `__cursorClose`.
//! * `settings.rs`: `__connOpen`, `__connInfo`, read preference, secondary-ok, auth, prompt,
//!   and the replication-report text builders.

pub mod admin;
mod commands;
mod cursors;
mod sessions;
mod settings;
mod table;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use boa_engine::{Context, JsError, JsResult, JsValue};

use crate::conn::{ConnError, Connection, ShellCursor, Target};
use crate::format::{self, Style};
use crate::js::args::error;
use crate::js::convert::js_to_document;
use crate::js::host::host;

/// Open connections and cursors of one runtime.
#[derive(Default)]
pub struct Conns {
    list: RefCell<Vec<Option<Rc<Connection>>>>,
    cursors: RefCell<HashMap<u32, ShellCursor>>,
    next_cursor: Cell<u32>,
}

impl Conns {
    /// Keep `conn`; returns its handle.
    pub fn add(&self, conn: Connection) -> usize {
        let mut l = self.list.borrow_mut();
        l.push(Some(Rc::new(conn)));
        l.len() - 1
    }
}

/// Give the runtime its first connection (from the command line); returns its handle.
pub fn attach(ctx: &mut Context, conn: Connection) -> usize {
    if ctx.get_data::<Conns>().is_none() {
        ctx.insert_data(Conns::default());
    }
    match ctx.get_data::<Conns>() {
        Some(c) => c.add(conn),
        None => 0, // ok: inserted just above
    }
}

pub fn register(ctx: &mut Context) -> JsResult<()> {
    if ctx.get_data::<Conns>().is_none() {
        ctx.insert_data(Conns::default());
    }
    admin::register(ctx)?;
    commands::register(ctx)?;
    cursors::register(ctx)?;
    sessions::register(ctx)?;
    settings::register(ctx)?;
    table::register(ctx)?;
    Ok(())
}

fn conns(ctx: &Context) -> JsResult<&Conns> {
    ctx.get_data::<Conns>()
        .ok_or_else(|| error("connection state missing"))
}

/// The connection with this handle, if open (Tab completion asks it for names, in the
/// implicit session).
pub(crate) fn connection_at(ctx: &Context, handle: usize) -> Option<Rc<Connection>> {
    let list = ctx.get_data::<Conns>()?.list.borrow();
    let index = (handle as u64 % sessions::SESSION_STRIDE) as usize;
    let c = list.get(index).cloned().flatten()?;
    c.use_session(None);
    Some(c)
}

/// The connection named by a handle argument. A handle from a session's database also names
/// the session, which the call then runs in; a plain handle runs in the implicit session.
fn conn(ctx: &Context, handle: &JsValue) -> JsResult<Rc<Connection>> {
    let id = handle.as_number().unwrap_or(-1.0);
    let list = conns(ctx)?.list.borrow();
    if id >= 0.0 && id.fract() == 0.0 && id < 2f64.powi(52) {
        let id = id as u64;
        let (index, session) = (id % sessions::SESSION_STRIDE, id / sessions::SESSION_STRIDE);
        if let Some(Some(c)) = list.get(index as usize) {
            c.use_session(u32::try_from(session).ok().filter(|s| *s > 0));
            return Ok(c.clone());
        }
    }
    Err(error("not connected to a server (no such connection)"))
}

/// A connection-layer error as a JS `Error`; a server reply becomes `error: <tojson>` as in
/// the legacy shell's cursor and helper errors.
pub(crate) fn conn_error(e: ConnError) -> JsError {
    match e {
        ConnError::Server(reply) => error(format!(
            "error: {}",
            format::pretty(&bson::Bson::Document(reply), Style::default())
        )),
        ConnError::Interrupted => crate::js::host::interrupted_error(),
        other => error(other.to_string()),
    }
}

/// The target argument: undefined/null → primary; `true` → the connection's read target
/// (read preference / secondary-ok); `"host:port"` → that member; an object `{mode, tags}` →
/// a read preference.
fn target(v: &JsValue, conn: &Connection, ctx: &mut Context) -> JsResult<Target> {
    if v.is_null_or_undefined() {
        return Ok(Target::Primary);
    }
    if v.as_boolean() == Some(true) {
        return Ok(conn.read_target());
    }
    if let Some(s) = v.as_string() {
        return Ok(Target::Member(s.to_std_string_escaped()));
    }
    let d = js_to_document(v, ctx)?;
    let mode = d.get_str("mode").unwrap_or("primary").to_string();
    let tags = match d.get_array("tags") {
        Ok(a) => a.iter().filter_map(|t| t.as_document().cloned()).collect(),
        Err(_) => Vec::new(),
    };
    if mode == "primary" && tags.is_empty() {
        return Ok(Target::Primary);
    }
    Ok(Target::ReadPref(
        crate::conn::ReadPref::new(&mode, tags).map_err(conn_error)?,
    ))
}

fn write_out(ctx: &Context, text: &str) -> JsResult<()> {
    host(ctx)?.write(text);
    Ok(())
}
