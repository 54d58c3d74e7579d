//! Names for Tab completion: the collections of one database and the databases of the
//! deployment, each fetched with one command and a short deadline. Like the prompt, the lookup
//! never waits on server selection: it asks the member the cached topology names, and a slow,
//! stopped or dead member gives `None` at once or when the deadline passes.

use std::future::IntoFuture;
use std::time::Duration;

use mongodb::options::{ListCollectionsOptions, ListDatabasesOptions};

impl super::Connection {
    /// The collection names of `db` (`listCollections`, names only, those the user may use),
    /// or `None` when no member answered within `wait`.
    pub fn collection_names(&self, db: &str, wait: Duration) -> Option<Vec<String>> {
        let client = self.prompt_client()?;
        let db = client.database(db);
        let opts = ListCollectionsOptions::builder()
            .authorized_collections(true)
            .build();
        let flag = self.interrupt_flag();
        let names = super::runtime::block_on(&flag, async move {
            let list = db.list_collection_names().with_options(opts);
            tokio::time::timeout(wait, list.into_future()).await
        })
        .ok()?
        .ok()?
        .ok()?;
        Some(sorted(names))
    }

    /// The database names (`listDatabases`, names only, those the user may use), or `None`
    /// when no member answered within `wait`.
    pub fn database_names(&self, wait: Duration) -> Option<Vec<String>> {
        let client = self.prompt_client()?;
        let opts = ListDatabasesOptions::builder()
            .authorized_databases(true)
            .build();
        let flag = self.interrupt_flag();
        let names = super::runtime::block_on(&flag, async move {
            let list = client.list_database_names().with_options(opts);
            tokio::time::timeout(wait, list.into_future()).await
        })
        .ok()?
        .ok()?
        .ok()?;
        Some(sorted(names))
    }
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}
