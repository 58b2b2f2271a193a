//! Issue 12, defect 10: a bad `SPOOL_TIMELINE` gives a clear error from
//! `Builder::build`, never an abort (before the fix `SPOOL_TIMELINE=100000000000`
//! aborted the process on allocation failure, and a value that was not a
//! number was silently ignored). One test in this binary: it sets a
//! process-wide environment variable.

#[test]
fn bad_spool_timeline_values_are_build_errors() {
    std::env::set_var("SPOOL_TIMELINE", "100000000000");
    let overcommit_any =
        std::fs::read_to_string("/proc/sys/vm/overcommit_memory").is_ok_and(|m| m.trim() == "1");
    if !overcommit_any {
        let err = spool::Runtime::new().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::OutOfMemory);
        let text = err.to_string();
        assert!(text.contains("100000000000"), "{text}");
        assert!(text.contains("SPOOL_TIMELINE"), "{text}");
    }
    std::env::set_var("SPOOL_TIMELINE", "lots");
    let err = spool::Runtime::new().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("SPOOL_TIMELINE"), "{err}");
    // And a good value still records.
    std::env::set_var("SPOOL_TIMELINE", "1000");
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {});
    assert!(!rt.timeline().events.is_empty());
    std::env::remove_var("SPOOL_TIMELINE");
}
