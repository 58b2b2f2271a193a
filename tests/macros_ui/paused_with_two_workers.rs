#[spool::test(workers = 2, start_paused = true)]
async fn t() {}

fn main() {}
