//! Network test helpers (127.0.0.1 only).
#![allow(dead_code)]

use spool::net::{TcpListener, TcpStream};

/// Binds a listener on an ephemeral loopback port.
pub async fn listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

/// Echoes everything a connection sends until it closes.
pub async fn echo(mut conn: TcpStream) -> std::io::Result<u64> {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        conn.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}

/// Accepts `n` connections and spawns an echo task for each.
pub async fn serve_echo(listener: TcpListener, n: usize) {
    for _ in 0..n {
        let (conn, _) = listener.accept().await.expect("accept");
        // Detached: each echo task ends when its client closes.
        drop(spool::spawn(async move {
            echo(conn).await.expect("echo");
        }));
    }
}

/// Deterministic test payload: byte `i` of connection `c`.
pub fn pattern(c: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ c.wrapping_mul(7)) as u8)
        .collect()
}

/// Returns the message of a caught panic.
pub fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("should have panicked");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}
