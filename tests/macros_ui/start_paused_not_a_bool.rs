#[spool::test(start_paused = 1)]
async fn t() {}

fn main() {}
