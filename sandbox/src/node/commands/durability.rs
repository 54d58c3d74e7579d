//! Which acknowledged writes wait for the journal to reach the disk: `j: true`, and every write
//! concern stronger than `w: 1` (mongod journals before counting a w:majority write, and the
//! sandbox does so for w > 1 and tag modes alike). A replica-set write without a write concern
//! gets the set's default (majority unless it is a PSA set); a standalone's default is `w: 1`.

use bson::{Bson, Document};

use crate::node::config_view::num;
use crate::node::dispatch::Request;
use crate::node::Node;

pub async fn wanted(node: &Node, req: &Request) -> bool {
    let given = req.cmd.get_document("writeConcern").ok();
    let default = match given {
        Some(_) => None,
        None => super::rw_defaults::default_write_concern_off_runtime(node).await,
    };
    let wc: Option<&Document> = given.or(default.as_ref());
    let in_set = node.repl().config_doc.is_some();
    match wc {
        Some(wc) => match (wc.get("j"), wc.get("w")) {
            (Some(Bson::Boolean(true)), _) => true,
            (_, Some(Bson::String(_))) => true,
            (_, Some(w)) => num(Some(w)).unwrap_or(1.0) > 1.0,
            (_, None) => in_set,
        },
        None => in_set,
    }
}
