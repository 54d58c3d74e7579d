//! `socketTimeoutMS` from the connection string: how long a command sent to a server may go
//! without an answer. The driver refuses the option, so it is taken out of the URI here and
//! kept by the shell: the driver's command events say when a command went out and when its
//! answer came, and a wait that sees a command unanswered for longer ends with its own message
//! (distinct from a server selection timeout and from a connection refused or a name that does
//! not resolve). The events are only asked for when the option is set: each one copies the
//! command document.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mongodb::event::command::CommandEvent;
use mongodb::event::EventHandler;

use super::error::ConnError;

/// The URI without `socketTimeoutMS`, and its value (`None`: not given, or 0 = no limit).
pub fn take_socket_timeout(uri: &str) -> Result<(String, Option<Duration>), ConnError> {
    let Some((base, query)) = uri.split_once('?') else {
        return Ok((uri.to_string(), None));
    };
    let mut kept = Vec::new();
    let mut timeout = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("socketTimeoutMS") {
            let ms: u64 = value.parse().map_err(|_| {
                ConnError::Usage(format!(
                    "invalid connection string: socketTimeoutMS must be a non-negative integer, got '{value}'"
                ))
            })?;
            timeout = (ms > 0).then(|| Duration::from_millis(ms));
        } else {
            kept.push(pair);
        }
    }
    let uri = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((uri, timeout))
}

/// Commands sent and not yet answered, by request id.
#[derive(Clone, Debug, Default)]
pub struct InFlight(Arc<Mutex<HashMap<i32, (Instant, String)>>>);

impl InFlight {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<i32, (Instant, String)>) -> T) -> T {
        match self.0.lock() {
            Ok(mut m) => f(&mut m),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// Forget commands whose wait was abandoned (Ctrl-C, an earlier timeout): a new wait
    /// starts with nothing in flight, the shell running one command at a time.
    pub fn reset(&self) {
        self.with(HashMap::clear);
    }

    /// The name of a command unanswered for longer than `limit`.
    pub fn overdue(&self, limit: Duration) -> Option<String> {
        self.with(|m| {
            m.values()
                .find(|(at, _)| at.elapsed() > limit)
                .map(|(_, name)| name.clone())
        })
    }

    pub fn handler(&self) -> EventHandler<CommandEvent> {
        let me = self.clone();
        EventHandler::callback(move |ev: CommandEvent| match ev {
            CommandEvent::Started(e) => me.with(|m| {
                m.insert(e.request_id, (Instant::now(), e.command_name));
            }),
            CommandEvent::Succeeded(e) => me.with(|m| {
                m.remove(&e.request_id);
            }),
            CommandEvent::Failed(e) => me.with(|m| {
                m.remove(&e.request_id);
            }),
            _ => {}
        })
    }
}

/// The error of a command left unanswered.
pub fn socket_timeout_error(command: &str, limit: Duration) -> ConnError {
    ConnError::Network {
        command: command.to_string(),
        detail: format!(
            "no answer within socketTimeoutMS ({} ms); the command may have run",
            limit.as_millis()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_is_taken_out_of_the_uri() {
        let (uri, t) =
            take_socket_timeout("mongodb://h:1/db?replicaSet=rs0&socketTimeoutMS=1500&w=1")
                .unwrap_or_default();
        assert_eq!(uri, "mongodb://h:1/db?replicaSet=rs0&w=1");
        assert_eq!(t, Some(Duration::from_millis(1500)));
        let (uri, t) = take_socket_timeout("mongodb://h:1/?sockettimeoutms=0").unwrap_or_default();
        assert_eq!(uri, "mongodb://h:1/");
        assert_eq!(t, None);
        let (uri, t) = take_socket_timeout("mongodb://h:1").unwrap_or_default();
        assert_eq!((uri.as_str(), t), ("mongodb://h:1", None));
        assert!(take_socket_timeout("mongodb://h:1/?socketTimeoutMS=x").is_err());
    }

    #[test]
    fn overdue_commands_are_named() {
        let f = InFlight::default();
        f.with(|m| {
            let long_ago = Instant::now()
                .checked_sub(Duration::from_secs(5))
                .unwrap_or_else(Instant::now);
            m.insert(7, (long_ago, "find".into()));
        });
        assert_eq!(f.overdue(Duration::from_secs(1)).as_deref(), Some("find"));
        assert_eq!(f.overdue(Duration::from_secs(10)), None);
        f.reset();
        assert_eq!(f.overdue(Duration::from_millis(0)), None);
    }
}
