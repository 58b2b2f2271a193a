#[spool::test(flavor = "current_thread")]
async fn t() {}

fn main() {}
