//! The timeline recorder produces a well-formed SVG with one row per worker.

/// A minimal XML well-formedness check: balanced tags, quoted attributes,
/// one root element.
fn check_well_formed(xml: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml.trim();
    let mut roots = 0;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if text.contains('>') {
            return Err(format!("stray '>' in text {text:?}"));
        }
        let gt = rest[lt..].find('>').ok_or("unclosed tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("close of {name} without open"))?;
            if open != name.trim() {
                return Err(format!("</{name}> closes <{open}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body
            .split_whitespace()
            .next()
            .ok_or("empty tag")?
            .to_string();
        if body.matches('"').count() % 2 != 0 {
            return Err(format!("unbalanced quotes in <{body}>"));
        }
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

#[test]
fn timeline_svg_has_one_row_per_worker_and_is_well_formed() {
    let rt = spool::Builder::new()
        .workers(2)
        .timeline(1_000)
        .build()
        .unwrap();
    rt.block_on(async {
        let a = spool::spawn(async {
            for _ in 0..3 {
                spool::task::yield_now().await;
            }
        });
        let b = spool::spawn_on(1, async {
            for _ in 0..3 {
                spool::task::yield_now().await;
            }
        });
        a.await.unwrap();
        b.await.unwrap();
    });
    let t = rt.timeline();
    assert_eq!(t.workers, 2);
    assert!(
        t.events
            .iter()
            .filter(|e| e.worker == 0 && e.task.is_some())
            .count()
            >= 4
    );
    assert!(t.events.iter().filter(|e| e.worker == 1).count() >= 4);
    assert!(
        t.events.iter().any(|e| e.task.is_none()),
        "block_on polls recorded"
    );
    assert!(t.events.iter().all(|e| e.end >= e.start));
    let svg = t.to_svg();
    check_well_formed(&svg).unwrap();
    assert!(svg.starts_with("<svg"));
    assert_eq!(svg.matches(r#"<g class="worker""#).count(), 2);
}

#[test]
fn ring_keeps_the_newest_events() {
    let rt = spool::Builder::new().timeline(8).build().unwrap();
    rt.block_on(async {
        spool::spawn(async {
            for _ in 0..50 {
                spool::task::yield_now().await;
            }
        })
        .await
        .unwrap();
    });
    let t = rt.timeline();
    assert_eq!(t.events.len(), 8);
    assert!(
        t.events.windows(2).all(|w| w[0].start <= w[1].start),
        "oldest first"
    );
}

#[test]
fn no_timeline_by_default() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async { spool::spawn(async {}).await.unwrap() });
    assert!(rt.timeline().events.is_empty());
}

#[test]
fn checker_rejects_broken_xml() {
    assert!(check_well_formed("<a><b></a></b>").is_err());
    assert!(check_well_formed("<a x=\"1></a>").is_err());
    assert!(check_well_formed("<a/><b/>").is_err());
    assert!(check_well_formed("<a><b/></a>").is_ok());
}
