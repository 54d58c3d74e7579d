//! Iteration cost of find/getMore over many small documents (prints figures; run with
//! `cargo test --release --bin rsh-sandbox bench_ -- --ignored --nocapture`).

use std::time::Instant;

use bson::{doc, Bson};

use super::{batch, cursor_id, first_batch, run};
use crate::data::Store;

fn fill(n: i32) -> Store {
    let s = Store::in_memory();
    for chunk in 0..(n / 1000) {
        let docs: Vec<Bson> = (0..1000)
            .map(|i| Bson::Document(doc! {"_id": chunk * 1000 + i, "x": i, "s": "abcdefgh"}))
            .collect();
        run(&s, "b", doc! {"insert": "c", "documents": docs});
    }
    s
}

fn iterate(s: &Store, filter: bson::Document) -> usize {
    let r = run(s, "b", doc! {"find": "c", "filter": filter});
    let mut n = first_batch(&r).len();
    let mut id = cursor_id(&r);
    while id != 0 {
        let r = run(s, "b", doc! {"getMore": id, "collection": "c"});
        n += batch(&r, "nextBatch").len();
        id = cursor_id(&r);
    }
    n
}

#[test]
#[ignore = "benchmark: prints figures"]
fn bench_find_get_more_iteration() {
    let n = 200_000;
    let t = Instant::now();
    let s = fill(n);
    println!("insert {n} docs: {:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(iterate(&s, doc! {}), n as usize);
    println!("iterate all {n}: {:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(iterate(&s, doc! {"x": {"$lt": 10}}), (n / 100) as usize);
    println!("iterate filtered: {:?}", t.elapsed());
}

#[test]
fn scans_are_linear_in_the_collection_size() {
    // Not a timing test: counts how many batches a full iteration takes, which would grow
    // quadratically in work if each getMore rescanned from the start (checked via the cursor
    // position, exercised here over many batches).
    let s = fill(5000);
    let r = run(&s, "b", doc! {"find": "c", "batchSize": 7});
    let mut seen: Vec<i32> = first_batch(&r)
        .iter()
        .filter_map(|d| d.get_i32("_id").ok())
        .collect();
    let mut id = cursor_id(&r);
    while id != 0 {
        let r = run(
            &s,
            "b",
            doc! {"getMore": id, "collection": "c", "batchSize": 7},
        );
        seen.extend(
            batch(&r, "nextBatch")
                .iter()
                .filter_map(|d| d.get_i32("_id").ok()),
        );
        id = cursor_id(&r);
    }
    assert_eq!(seen, (0..5000).collect::<Vec<_>>());
}

#[test]
#[ignore = "benchmark: prints figures"]
fn bench_find_with_and_without_an_index() {
    let n = 1_000_000;
    let s = fill(n);
    let time_finds = |label: &str| {
        let t = Instant::now();
        for k in 0..20 {
            // x runs 0..1000 in every chunk: 1000 matches per value.
            assert_eq!(iterate(&s, doc! {"x": 37 * k}), (n / 1000) as usize);
        }
        println!(
            "find({{x: N}}) on {n} docs, {label}: {:?} per find",
            t.elapsed() / 20
        );
    };
    time_finds("no index");
    let t = Instant::now();
    run(
        &s,
        "b",
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]},
    );
    println!("createIndexes x_1 on {n} docs: {:?}", t.elapsed());
    time_finds("index x_1");
    // A broad indexed range streams: the first batch comes without reading every match.
    let t = Instant::now();
    let r = run(&s, "b", doc! {"find": "c", "filter": {"x": {"$gte": 10}}});
    assert_eq!(first_batch(&r).len(), 101);
    println!(
        "first batch of find({{x: {{$gte: 10}}}}) (990000 matches), index x_1: {:?}",
        t.elapsed()
    );
}
