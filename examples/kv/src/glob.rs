//! Glob-style pattern matching for `KEYS`, with redis's `stringmatchlen`
//! rules: `*` (any run), `?` (any byte), `[abc]`, `[^abc]`, `[a-z]` (a
//! reversed range `[z-a]` works too), and `\x` for a literal `x`. An
//! unclosed `[` runs to the end of the pattern. Matching is byte-wise and
//! case-sensitive.
//!
//! Every token other than `*` consumes exactly one byte, so the classic
//! two-pointer algorithm applies: on a mismatch, go back to the last `*`
//! and let it swallow one more byte. That is O(pattern × key) in the worst
//! case, never exponential (redis's recursive matcher needs a nesting
//! limit for that reason).

/// Whether `key` matches the glob `pattern`.
pub fn matches(pattern: &[u8], key: &[u8]) -> bool {
    let (mut p, mut k) = (0, 0);
    // Where to resume after the last `*`: pattern position after it, and
    // the key position it has swallowed up to.
    let mut star: Option<(usize, usize)> = None;
    while k < key.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    while p < pattern.len() && pattern[p] == b'*' {
                        p += 1;
                    }
                    if p == pattern.len() {
                        return true;
                    }
                    star = Some((p, k));
                    continue;
                }
                b'?' => {
                    p += 1;
                    k += 1;
                    continue;
                }
                b'[' => {
                    let (hit, next) = class(pattern, p + 1, key[k]);
                    if hit {
                        p = next;
                        k += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1] == key[k] {
                        p += 2;
                        k += 1;
                        continue;
                    }
                }
                c => {
                    if c == key[k] {
                        p += 1;
                        k += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((after, swallowed)) => {
                star = Some((after, swallowed + 1));
                p = after;
                k = swallowed + 1;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches byte `c` against the class starting at `p` (just after its
/// `[`): whether it matched, and the pattern position after the class.
fn class(pattern: &[u8], mut p: usize, c: u8) -> (bool, usize) {
    let negate = pattern.get(p) == Some(&b'^');
    if negate {
        p += 1;
    }
    let mut hit = false;
    loop {
        match pattern.get(p..).unwrap_or_default() {
            [] => break,
            [b']', ..] => {
                p += 1;
                break;
            }
            [b'\\', x, ..] => {
                hit |= *x == c;
                p += 2;
            }
            [lo, b'-', hi, ..] => {
                let (lo, hi) = if lo <= hi { (*lo, *hi) } else { (*hi, *lo) };
                hit |= (lo..=hi).contains(&c);
                p += 3;
            }
            [x, ..] => {
                hit |= *x == c;
                p += 1;
            }
        }
    }
    (hit != negate, p)
}

#[cfg(test)]
mod tests {
    //! The kv example's `KEYS` glob matcher against redis's `stringmatchlen`
    //! semantics: `*`, `?`, classes with ranges and negation, escapes, and no
    //! exponential blow-up on adversarial patterns.

    use super::matches;

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
}
