//! Every example script of scripts/ run through rsh against sandbox members, in the order an
//! administrator would use them.

use std::time::Duration;

use support::{free_ports, rsh, wait_for, Member, FAST};

fn script(path: &str) -> String {
    format!("{}/scripts/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn run(target: &[&str], vars: &str, file: &str) -> support::Run {
    let mut args = vec!["--quiet"];
    args.extend_from_slice(target);
    let f = script(file);
    if !vars.is_empty() {
        args.extend_from_slice(&["--eval", vars]);
    }
    args.push(&f);
    rsh(&args, "", Duration::from_secs(120))
}

#[test]
fn maintenance_scripts_mirror_the_seeds() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut members: Vec<Member> = free_ports(5)
        .iter()
        .map(|p| Member::start(root.path(), *p, &["--replSet", "rs0"]))
        .collect();
    let h: Vec<String> = members.iter().map(Member::host).collect();
    let seeds = format!("rs0/{},{},{}", h[0], h[1], h[2]);

    let vars = format!(
        "var SET = 'rs0', HOSTS = ['{}', '{}', '{}'], SETTINGS = {FAST}",
        h[0], h[1], h[2]
    );
    let r = run(&[&h[0]], &vars, "rs-initiate-three.js");
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout.matches(" PRIMARY").count(), 1, "{}", r.stdout);
    assert_eq!(r.stdout.matches(" SECONDARY").count(), 2, "{}", r.stdout);

    // A fourth data member first: with four data members an arbiter keeps the implicit
    // majority write concern, so 5.0+ servers accept it without setDefaultRWConcern.
    let r = rsh(
        &[
            "--quiet",
            "--host",
            &seeds,
            "--eval",
            &format!("rs.add('{}').ok", h[3]),
        ],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let r = run(
        &["--host", &seeds],
        &format!("var ARBITER = '{}'", h[4]),
        "rs-add-arbiter.js",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout, format!("{} ARBITER\n", h[4]));

    let r = run(
        &["--host", &seeds],
        &format!("var TARGET = '{}'", h[2]),
        "rs-make-primary.js",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.ends_with(&format!("{} is PRIMARY\n", h[2])),
        "{}",
        r.stdout
    );

    let r = run(&["--host", &seeds], "", "rs-health.js");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.starts_with("set: rs0\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("{}\tPRIMARY\thealth 1", h[2])),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("configured oplog size:"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("source: {}", h[0])),
        "{}",
        r.stdout
    );

    let r = run(
        &["--host", &seeds],
        "var MEMBER = 'nowhere:1'",
        "rs-remove-member.js",
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.starts_with("error: couldn't find nowhere:1 in ["),
        "{}",
        r.stdout
    );
    let r = run(
        &["--host", &seeds],
        &format!("var MEMBER = '{}'", h[4]),
        "rs-remove-member.js",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.ends_with(&format!(
            "members: {}, {}, {}, {}\n",
            h[0], h[1], h[2], h[3]
        )),
        "{}",
        r.stdout
    );

    // h[0] must know the config without the arbiter before the majority is lost.
    let learned = wait_for(Duration::from_secs(30), || {
        let r = rsh(
            &["--quiet", &h[0], "--eval", "rs.conf().members.length"],
            "",
            Duration::from_secs(30),
        );
        (r.stdout.trim() == "4").then_some(())
    });
    assert!(learned.is_some(), "the new config reaches h[0]");
    members[4].kill();

    // Lose the majority: h[0] and h[1] survive; a forced reconfig from h[0] keeps them.
    members[2].kill();
    members[3].kill();
    let down = wait_for(Duration::from_secs(60), || {
        let r = rsh(
            &[
                "--quiet",
                &h[0],
                "--eval",
                "rs.status().members.filter(function (m) { return m.health === 0; }).length",
            ],
            "",
            Duration::from_secs(30),
        );
        (r.stdout.trim() == "2").then_some(())
    });
    assert!(down.is_some(), "the survivor sees two members down");
    let r = run(&[&h[0]], "", "rs-force-reconfig.js");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .starts_with(&format!("keeping: {}, {}\n", h[0], h[1])),
        "hosts {h:?}: {}",
        r.stdout
    );
    let primary = wait_for(Duration::from_secs(60), || {
        h[..2].iter().find(|host| {
            let r = rsh(
                &["--quiet", host.as_str(), "--eval", "print(defaultPrompt())"],
                "",
                Duration::from_secs(30),
            );
            r.stdout == "rs0:PRIMARY> \n"
        })
    });
    assert!(
        primary.is_some(),
        "a survivor becomes primary after the forced reconfig"
    );
}
