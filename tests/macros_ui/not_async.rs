#[spool::test]
fn t() {}

fn main() {}
