//! The kv example's RESP request parser, byte by byte: incomplete frames
//! wait for more bytes (and resume), pipelined frames come out one by one,
//! inline commands are split with redis's quoting rules, and bad or
//! over-limit headers are refused before their payload is buffered.

use crate::reply;

use super::{Limits, Parser, ProtocolError, Status};

/// Parses one frame from the front of `buf`, returning its arguments and
/// length, or the parser's status/error.
fn frame(parser: &mut Parser, buf: &[u8]) -> Result<(Vec<Vec<u8>>, usize), String> {
    match parser.parse(buf) {
        Ok(Status::Complete(n)) => {
            let args = parser.args(&buf[..n]).iter().map(<[u8]>::to_vec).collect();
            Ok((args, n))
        }
        Ok(other) => Err(format!("{other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

fn strings(args: &[&str]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

fn small() -> Limits {
    Limits {
        max_bulk: 16,
        max_inline: 32,
        max_args: 4,
    }
}

#[test]
fn a_whole_multibulk_frame() {
    let mut p = Parser::new(Limits::default());
    let buf = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
    assert_eq!(
        frame(&mut p, buf),
        Ok((strings(&["SET", "k", "hello"]), buf.len()))
    );
}

#[test]
fn binary_safe_arguments() {
    let mut p = Parser::new(Limits::default());
    let buf = b"*2\r\n$4\r\na\r\nb\r\n$0\r\n\r\n";
    let (args, n) = frame(&mut p, buf).unwrap();
    assert_eq!(n, buf.len());
    assert_eq!(args, vec![b"a\r\nb".to_vec(), Vec::new()]);
}

#[test]
fn every_split_point_waits_then_completes() {
    let buf = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n";
    for cut in 0..buf.len() {
        let mut p = Parser::new(Limits::default());
        match p.parse(&buf[..cut]) {
            Ok(Status::Incomplete { need }) => {
                assert!(need > cut, "need {need} at cut {cut}");
                assert!(need <= buf.len(), "need {need} overshoots at cut {cut}");
            }
            other => panic!("cut {cut}: {other:?}"),
        }
        // Resume with the whole frame: same parser, appended bytes.
        assert_eq!(
            frame(&mut p, buf),
            Ok((strings(&["SET", "key", "0123456789"]), buf.len())),
            "cut {cut}"
        );
    }
}

#[test]
fn byte_by_byte_feeding_resumes_across_many_calls() {
    let buf = b"*4\r\n$4\r\nMSET\r\n$1\r\na\r\n$2\r\nbb\r\n$3\r\nccc\r\n";
    let mut p = Parser::new(Limits::default());
    let mut incomplete = 0;
    for len in 0..=buf.len() {
        match p.parse(&buf[..len]) {
            Ok(Status::Incomplete { .. }) => incomplete += 1,
            Ok(Status::Complete(n)) => {
                assert_eq!((len, n), (buf.len(), buf.len()));
                let args: Vec<_> = p.args(buf).iter().map(<[u8]>::to_vec).collect();
                assert_eq!(args, strings(&["MSET", "a", "bb", "ccc"]));
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(incomplete, buf.len());
}

#[test]
fn the_need_hint_covers_a_whole_bulk_payload() {
    let mut p = Parser::new(Limits::default());
    let header = b"*2\r\n$3\r\nGET\r\n$100\r\nab";
    assert_eq!(
        p.parse(header),
        Ok(Status::Incomplete {
            need: header.len() - 2 + 100 + 2
        })
    );
}

#[test]
fn pipelined_frames_come_out_one_at_a_time() {
    let mut p = Parser::new(Limits::default());
    let buf = b"*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGE";
    let mut pos = 0;
    let mut seen = Vec::new();
    while let Status::Complete(n) = p.parse(&buf[pos..]).unwrap() {
        let args: Vec<_> = p.args(&buf[pos..]).iter().map(<[u8]>::to_vec).collect();
        seen.push(args);
        pos += n;
    }
    assert_eq!(
        seen,
        vec![
            strings(&["PING"]),
            strings(&["ECHO", "hi"]),
            strings(&["GET", "k"])
        ]
    );
    assert_eq!(&buf[pos..], b"*2\r\n$3\r\nGE");
}

#[test]
fn inline_commands_split_like_redis() {
    let cases: &[(&[u8], &[&str])] = &[
        (b"PING\r\n", &["PING"]),
        (b"PING\n", &["PING"]),
        (b"  SET   k\tv  \r\n", &["SET", "k", "v"]),
        (b"SET k \"a b\\n\\x41\"\r\n", &["SET", "k", "a b\nA"]),
        (b"SET k 'it\\'s'\r\n", &["SET", "k", "it's"]),
        (b"ECHO \"\"\r\n", &["ECHO", ""]),
    ];
    for (line, want) in cases {
        let mut p = Parser::new(Limits::default());
        assert_eq!(
            frame(&mut p, line),
            Ok((strings(want), line.len())),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn empty_lines_and_empty_multibulk_are_no_ops() {
    for buf in [&b"\r\n"[..], b"\n", b"   \r\n", b"*0\r\n", b"*-1\r\n"] {
        let mut p = Parser::new(Limits::default());
        assert_eq!(frame(&mut p, buf), Ok((Vec::new(), buf.len())));
    }
}

#[test]
fn an_inline_line_waits_for_its_newline() {
    let mut p = Parser::new(Limits::default());
    assert_eq!(p.parse(b"GET ke"), Ok(Status::Incomplete { need: 7 }));
    assert_eq!(
        frame(&mut p, b"GET key\r\n"),
        Ok((strings(&["GET", "key"]), 9))
    );
}

#[test]
fn unbalanced_quotes_are_a_protocol_error() {
    for line in [
        &b"SET k \"abc\r\n"[..],
        b"SET k 'abc\r\n",
        b"SET k \"a\"b\r\n",
    ] {
        let mut p = Parser::new(Limits::default());
        assert_eq!(p.parse(line), Err(ProtocolError::UnbalancedQuotes));
    }
}

#[test]
fn bad_lengths_are_protocol_errors() {
    let cases: &[(&[u8], ProtocolError)] = &[
        (b"*x\r\n", ProtocolError::InvalidMultibulkLength),
        (b"*1x\r\n", ProtocolError::InvalidMultibulkLength),
        (b"*\r\n", ProtocolError::InvalidMultibulkLength),
        (b"*1\r\n$-3\r\n", ProtocolError::InvalidBulkLength),
        (b"*1\r\n$abc\r\n", ProtocolError::InvalidBulkLength),
        (b"*1\r\n$\r\n", ProtocolError::InvalidBulkLength),
        (b"*1\r\nPING\r\n", ProtocolError::ExpectedDollar(b'P')),
        (
            b"*2\r\n$1\r\na\r\n:1\r\n",
            ProtocolError::ExpectedDollar(b':'),
        ),
    ];
    for (buf, want) in cases {
        let mut p = Parser::new(Limits::default());
        assert_eq!(p.parse(buf), Err(*want), "{}", String::from_utf8_lossy(buf));
    }
}

#[test]
fn error_texts_match_redis() {
    assert_eq!(
        ProtocolError::InvalidBulkLength.to_string(),
        "Protocol error: invalid bulk length"
    );
    assert_eq!(
        ProtocolError::ExpectedDollar(b'P').to_string(),
        "Protocol error: expected '$', got 'P'"
    );
    assert_eq!(
        ProtocolError::InvalidMultibulkLength.to_string(),
        "Protocol error: invalid multibulk length"
    );
}

#[test]
fn over_limit_bulk_is_refused_from_its_header_alone() {
    let mut p = Parser::new(small());
    // 17 > max_bulk 16: refused before a single payload byte arrives.
    assert_eq!(
        p.parse(b"*2\r\n$3\r\nGET\r\n$17\r\n"),
        Err(ProtocolError::InvalidBulkLength)
    );
    let mut p = Parser::new(small());
    let at_limit = b"*1\r\n$16\r\n0123456789abcdef\r\n";
    assert_eq!(
        frame(&mut p, at_limit),
        Ok((strings(&["0123456789abcdef"]), at_limit.len()))
    );
}

#[test]
fn too_many_arguments_are_refused() {
    let mut p = Parser::new(small());
    assert_eq!(
        p.parse(b"*5\r\n"),
        Err(ProtocolError::InvalidMultibulkLength)
    );
    let mut p = Parser::new(Limits::default());
    assert_eq!(
        p.parse(b"*99999999999999999999\r\n"),
        Err(ProtocolError::InvalidMultibulkLength)
    );
}

#[test]
fn overlong_lines_are_refused_without_a_newline() {
    let mut p = Parser::new(small());
    assert_eq!(p.parse(&[b'a'; 33]), Err(ProtocolError::TooBigInline));
    let mut p = Parser::new(small());
    assert_eq!(
        p.parse(&[b'a'; 32]),
        Ok(Status::Incomplete { need: 33 }),
        "at the limit it still waits"
    );
    let mut long = b"*".to_vec();
    long.extend_from_slice(&[b'1'; 40]);
    let mut p = Parser::new(small());
    assert_eq!(p.parse(&long), Err(ProtocolError::TooBigMultibulkCount));
    let mut long = b"*1\r\n$".to_vec();
    long.extend_from_slice(&[b'1'; 40]);
    let mut p = Parser::new(small());
    assert_eq!(p.parse(&long), Err(ProtocolError::TooBigBulkCount));
}

#[test]
fn the_parser_is_reusable_after_each_frame() {
    let mut p = Parser::new(Limits::default());
    for i in 0..100u32 {
        let value = i.to_string();
        let mut buf = format!("*2\r\n$4\r\nECHO\r\n${}\r\n{value}\r\n", value.len()).into_bytes();
        if i % 2 == 0 {
            buf = format!("ECHO {value}\r\n").into_bytes();
        }
        assert_eq!(
            frame(&mut p, &buf),
            Ok((strings(&["ECHO", &value]), buf.len()))
        );
    }
}

#[test]
fn replies_decode_what_they_encode() {
    let mut out = Vec::new();
    reply::ok(&mut out);
    reply::integer(&mut out, -42);
    reply::integer(&mut out, i64::MIN);
    reply::bulk(&mut out, b"a\r\nb");
    reply::null(&mut out);
    reply::error(&mut out, b"ERR bad\r\nthing");
    reply::array(&mut out, 2);
    reply::bulk(&mut out, b"x");
    reply::integer(&mut out, 7);
    let mut pos = 0;
    let mut seen = Vec::new();
    while let Some((r, n)) = reply::read(&out[pos..]).unwrap() {
        seen.push(format!("{r:?}"));
        pos += n;
    }
    assert_eq!(pos, out.len());
    use reply::Reply::*;
    let want = [
        Simple(b"OK"),
        Integer(-42),
        Integer(i64::MIN),
        Bulk(Some(b"a\r\nb")),
        Bulk(None),
        Error(b"ERR bad  thing"),
        Array(Some(vec![Bulk(Some(b"x")), Integer(7)])),
    ];
    assert_eq!(seen, want.map(|r| format!("{r:?}")));
}

#[test]
fn integers_parse_like_string2ll() {
    for (s, want) in [
        ("0", Some(0)),
        ("-1", Some(-1)),
        ("9223372036854775807", Some(i64::MAX)),
        ("-9223372036854775808", Some(i64::MIN)),
        ("9223372036854775808", None),
        ("01", None),
        ("-0", None),
        ("+1", None),
        (" 1", None),
        ("", None),
        ("-", None),
        ("1a", None),
    ] {
        assert_eq!(reply::parse_i64(s.as_bytes()), want, "{s:?}");
    }
}
