#[spool::main(workers = "four")]
async fn main() {}
