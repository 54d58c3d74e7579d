use crate::data::expr::*;
use bson::doc;
use bson::{Bson, Document};

fn ev(e: Bson, d: Document) -> Option<Bson> {
    eval(&e, &d).unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn paths_literals_and_operators() {
    let d = doc! {"a": 2, "b": {"c": "x"}, "arr": [{"v": 1}, {"v": 2}]};
    assert_eq!(
        ev(Bson::String("$a".into()), d.clone()),
        Some(Bson::Int32(2))
    );
    assert_eq!(
        ev(Bson::String("$b.c".into()), d.clone()),
        Some(Bson::String("x".into()))
    );
    assert_eq!(
        ev(Bson::String("$arr.v".into()), d.clone()),
        Some(Bson::Array(vec![Bson::Int32(1), Bson::Int32(2)]))
    );
    assert_eq!(ev(Bson::String("$zz".into()), d.clone()), None);
    assert_eq!(
        ev(Bson::Document(doc! {"$add": ["$a", 3]}), d.clone()),
        Some(Bson::Int32(5))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$multiply": ["$a", 3]}), d.clone()),
        Some(Bson::Int32(6))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$concat": ["$b.c", "y"]}), d.clone()),
        Some(Bson::String("xy".into()))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$cond": [{"$gt": ["$a", 1]}, "big", "small"]}),
            d.clone()
        ),
        Some(Bson::String("big".into()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$ifNull": ["$zz", 0]}), d.clone()),
        Some(Bson::Int32(0))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$sum": "$arr.v"}), d.clone()),
        Some(Bson::Int32(3))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$literal": "$a"}), d.clone()),
        Some(Bson::String("$a".into()))
    );
    assert!(eval(&Bson::Document(doc! {"$nope": 1}), &d).is_err());
    assert!(eval(&Bson::Document(doc! {"$divide": [1, 0]}), &d).is_err());
}

#[test]
fn accumulators() {
    let mut s = Acc::new("$sum").unwrap_or_else(|e| panic!("{e}"));
    for v in [Bson::Int32(1), Bson::Int64(2), Bson::String("x".into())] {
        s.add(Some(v));
    }
    assert_eq!(s.result(), Bson::Int64(3));
    let mut m = Acc::new("$max").unwrap_or_else(|e| panic!("{e}"));
    for v in [Bson::Int32(1), Bson::Null, Bson::Int32(7)] {
        m.add(Some(v));
    }
    assert_eq!(m.result(), Bson::Int32(7));
    let mut a = Acc::new("$avg").unwrap_or_else(|e| panic!("{e}"));
    a.add(Some(Bson::Int32(1)));
    a.add(Some(Bson::Int32(2)));
    assert_eq!(a.result(), Bson::Double(1.5));
    assert!(Acc::new("$median").is_err());
}
