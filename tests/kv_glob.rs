//! The kv example's `KEYS` glob matcher against redis's `stringmatchlen`
//! semantics: `*`, `?`, classes with ranges and negation, escapes, and no
//! exponential blow-up on adversarial patterns.

#[path = "../examples/kv/glob.rs"]
mod glob;

use glob::matches;

#[test]
fn stars_and_question_marks() {
    let cases: &[(&str, &str, bool)] = &[
        ("*", "", true),
        ("*", "anything", true),
        ("", "", true),
        ("", "a", false),
        ("a*", "abc", true),
        ("a*", "bac", false),
        ("*c", "abc", true),
        ("a*c", "ac", true),
        ("a*c", "abbbc", true),
        ("a*c", "abbbd", false),
        ("a**c", "abc", true),
        ("?", "a", true),
        ("?", "", false),
        ("?", "ab", false),
        ("h?llo", "hello", true),
        ("h?llo", "hllo", false),
        ("*a*b*", "xxaxxbxx", true),
        ("*a*b*", "xxbxxaxx", false),
        ("user:*:name", "user:42:name", true),
        ("user:*:name", "user:42:named", false),
    ];
    for (pattern, key, want) in cases {
        assert_eq!(
            matches(pattern.as_bytes(), key.as_bytes()),
            *want,
            "{pattern} ~ {key}"
        );
    }
}

#[test]
fn classes_ranges_negation_and_escapes() {
    let cases: &[(&str, &str, bool)] = &[
        ("h[ae]llo", "hello", true),
        ("h[ae]llo", "hallo", true),
        ("h[ae]llo", "hillo", false),
        ("h[^e]llo", "hallo", true),
        ("h[^e]llo", "hello", false),
        ("h[a-b]llo", "hbllo", true),
        ("h[a-b]llo", "hcllo", false),
        ("h[b-a]llo", "hallo", true),
        ("[0-9]*", "7up", true),
        ("[0-9]*", "up7", false),
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("a\\?", "a?", true),
        ("[\\]]", "]", true),
        ("[abc", "b", true),
        ("trailing\\", "trailing\\", true),
    ];
    for (pattern, key, want) in cases {
        assert_eq!(
            matches(pattern.as_bytes(), key.as_bytes()),
            *want,
            "{pattern} ~ {key}"
        );
    }
}

#[test]
fn adversarial_patterns_finish() {
    // Exponential for a naive recursive matcher; linear-ish here.
    let pattern = "*a".repeat(30) + "b";
    let key = "a".repeat(10_000);
    assert!(!matches(pattern.as_bytes(), key.as_bytes()));
    let key = key + "b";
    assert!(matches(pattern.as_bytes(), key.as_bytes()));
}
