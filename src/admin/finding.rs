//! One result of a check: a level, a short reason and, when there is one, the fix.

use bson::{doc, Document};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub level: Level,
    /// What was found (one line, or a few for advice that needs them).
    pub message: String,
    /// What to do about it, when the check knows.
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(level: Level, message: impl Into<String>) -> Finding {
        Finding {
            level,
            message: message.into(),
            fix: None,
        }
    }

    pub fn ok(message: impl Into<String>) -> Finding {
        Finding::new(Level::Ok, message)
    }

    pub fn warn(message: impl Into<String>) -> Finding {
        Finding::new(Level::Warn, message)
    }

    pub fn fail(message: impl Into<String>) -> Finding {
        Finding::new(Level::Fail, message)
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    /// `{level, message[, fix]}` for scripts.
    pub fn to_document(&self) -> Document {
        let mut d = doc! {"level": self.level.as_str(), "message": &self.message};
        if let Some(f) = &self.fix {
            d.insert("fix", f);
        }
        d
    }

    /// The printed form: `<prefix><LEVEL> message` and the fix on the next line(s).
    pub fn lines(&self, prefix: &str) -> String {
        let mut out = format!("{prefix}{} {}", self.level.as_str(), self.message);
        if let Some(f) = &self.fix {
            out.push_str(&format!("\n{prefix}     fix: {f}"));
        }
        out
    }
}

/// The worst level among `findings` (`Ok` when empty).
pub fn verdict(findings: &[Finding]) -> Level {
    findings.iter().map(|f| f.level).max().unwrap_or(Level::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_is_the_worst_level() {
        assert_eq!(verdict(&[]), Level::Ok);
        let f = [Finding::warn("a"), Finding::fail("b"), Finding::ok("c")];
        assert_eq!(verdict(&f), Level::Fail);
        assert_eq!(verdict(&f[..1]), Level::Warn);
    }

    #[test]
    fn lines_and_document() {
        let f = Finding::fail("x is down").with_fix("start x");
        assert_eq!(
            f.lines("preflight: "),
            "preflight: FAIL x is down\npreflight:      fix: start x"
        );
        assert_eq!(
            f.to_document(),
            doc! {"level": "FAIL", "message": "x is down", "fix": "start x"}
        );
    }
}
