//! The Rust `mongodb` driver against a three-member rsh-sandbox set:
//! initiate over a direct connection, discover the set from one seed, write with w:majority,
//! SIGKILL the primary, see an error and then success on the new primary, restart the killed
//! member and find every acknowledged write on it, read from a tagged secondary.

use std::time::{Duration, Instant};

use bson::{doc, Document};
use mongodb::options::{ReadPreference, ReadPreferenceOptions, SelectionCriteria, WriteConcern};
use mongodb::Client;
use support::Member;

const ELECTION_TIMEOUT_MS: u64 = 1000;

async fn primary_host(client: &Client) -> Option<String> {
    let h = client
        .database("admin")
        .run_command(doc! {"hello": 1})
        .await
        .ok()?;
    h.get_bool("isWritablePrimary")
        .ok()?
        .then(|| h.get_str("me").ok().map(str::to_string))?
}

async fn wait_primary(members: &[Member], deadline: Duration) -> Option<String> {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        for m in members.iter().filter(|m| m.child.is_some()) {
            let uri = format!(
                "mongodb://{}/?directConnection=true&serverSelectionTimeoutMS=1000",
                m.host()
            );
            if let Ok(c) = Client::with_uri_str(&uri).await {
                if let Some(p) = primary_host(&c).await {
                    return Some(p);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_driver_survives_failover() {
    let mut members: Vec<Member> = (0..3)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let dcs = ["east", "west", "west"];
    let cfg = doc! {
        "_id": "rs0",
        "members": members.iter().enumerate().map(|(i, m)| doc! {
            "_id": i as i32, "host": m.host(), "tags": {"dc": dcs[i], "n": i.to_string()},
        }).collect::<Vec<_>>(),
        "settings": {"heartbeatIntervalMillis": 200, "electionTimeoutMillis": ELECTION_TIMEOUT_MS as i64, "heartbeatTimeoutSecs": 2},
    };
    let direct = Client::with_uri_str(format!(
        "mongodb://{}/?directConnection=true",
        members[0].host()
    ))
    .await
    .unwrap();
    let r = direct
        .database("admin")
        .run_command(doc! {"replSetInitiate": cfg})
        .await
        .expect("initiate");
    assert_eq!(r.get_f64("ok").unwrap(), 1.0);
    let first_primary = wait_primary(&members, Duration::from_secs(30))
        .await
        .expect("a first primary");

    // Discover the whole set from one seed.
    // Server selection gives up sooner than any election can finish (no member stands before
    // electionTimeout has passed since the kill) and writes are not retried, so the first write
    // after the kill surely reports the lost primary; the loop below then retries by hand.
    let uri = format!(
        "mongodb://{}/?replicaSet=rs0&serverSelectionTimeoutMS={}&heartbeatFrequencyMS=500&retryWrites=false",
        members[1].host(),
        ELECTION_TIMEOUT_MS * 2 / 3
    );
    let client = Client::with_uri_str(&uri).await.unwrap();
    let coll = client.database("test").collection::<Document>("c");
    let mut acknowledged = 0i32;
    for i in 0..5 {
        coll.insert_one(doc! {"_id": i})
            .write_concern(WriteConcern::majority())
            .await
            .expect("majority write");
        acknowledged += 1;
    }
    assert_eq!(
        primary_host(&client).await.as_deref(),
        Some(first_primary.as_str())
    );

    // SIGKILL the primary.
    let victim = members
        .iter()
        .position(|m| m.host() == first_primary)
        .unwrap();
    members[victim].kill();
    let killed_at = Instant::now();
    let mut saw_error = false;
    let mut next_id = 100;
    loop {
        match coll
            .insert_one(doc! {"_id": next_id})
            .write_concern(WriteConcern::majority())
            .await
        {
            Ok(_) => {
                acknowledged += 1;
                break;
            }
            Err(e) => {
                saw_error = true;
                eprintln!("after {:?}: {e}", killed_at.elapsed());
                // Retries may have applied the write already: use a fresh _id each attempt.
                next_id += 1;
            }
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(60),
            "no new primary after a minute"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "failover: write succeeded {:?} after SIGKILL (electionTimeout {ELECTION_TIMEOUT_MS} ms)",
        killed_at.elapsed()
    );
    assert!(saw_error, "the driver reported the lost primary");
    let new_primary = primary_host(&client).await.expect("new primary");
    assert_ne!(new_primary, first_primary);

    // Restart the killed member: it rejoins as SECONDARY with every acknowledged write.
    members[victim].spawn();
    let back = Client::with_uri_str(format!("mongodb://{first_primary}/?directConnection=true"))
        .await
        .unwrap();
    let end = Instant::now() + Duration::from_secs(60);
    let mut count = 0;
    loop {
        let h = back
            .database("admin")
            .run_command(doc! {"hello": 1})
            .await
            .unwrap();
        if h.get_bool("secondary").unwrap_or(false) {
            let c = back.database("test").collection::<Document>("c");
            let rp = SelectionCriteria::ReadPreference(ReadPreference::SecondaryPreferred {
                options: None,
            });
            count = c
                .count_documents(doc! {})
                .selection_criteria(rp)
                .await
                .unwrap_or(0);
            if count >= acknowledged as u64 {
                break;
            }
        }
        assert!(
            Instant::now() < end,
            "restarted member did not catch up (has {count} of {acknowledged})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(count >= acknowledged as u64);

    // Read from a secondary chosen by tag set.
    let tagged = members
        .iter()
        .enumerate()
        .find(|(_, m)| m.host() != new_primary)
        .map(|(i, m)| (i, m.host()))
        .unwrap();
    let tags = [("n".to_string(), tagged.0.to_string())]
        .into_iter()
        .collect();
    let options = ReadPreferenceOptions::builder()
        .tag_sets(vec![tags])
        .build();
    let rp = SelectionCriteria::ReadPreference(ReadPreference::Secondary {
        options: Some(options),
    });
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let r = client
            .database("admin")
            .run_command(doc! {"hello": 1})
            .selection_criteria(rp.clone())
            .await;
        if let Ok(h) = r {
            assert_eq!(
                h.get_str("me").unwrap(),
                tagged.1,
                "the tagged secondary answered"
            );
            break;
        }
        assert!(
            Instant::now() < end,
            "no tagged secondary selectable: {r:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rp_docs = client
        .database("test")
        .collection::<Document>("c")
        .find_one(doc! {"_id": 0})
        .selection_criteria(rp)
        .await
        .expect("secondary read");
    assert!(rp_docs.is_some());
}
