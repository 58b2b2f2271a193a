#[spool::main(seed = 3)]
async fn main() {}
